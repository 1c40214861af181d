#pragma once

// The demo's periodic summary line: traffic, queue totals, offers, completions, waits, SLA and
// the services' health.

#include <cstdint>
#include <string>

#include "tools/demo/event_tracker.h"
#include "tools/demo/traffic_loop.h"
#include "tools/sim/api_client.h"

namespace omniroute::demo {

// Queue statistics summed over the demo queues.
struct QueueTotals {
  int64_t waiting = 0, answered = 0, within_sla = 0, abandoned = 0;
  bool ok = true;  // false when any GetQueueStats call failed (the sums are then partial)
};

QueueTotals ReadQueues(sim::ApiClient& api, const std::string& tenant,
                       const std::string& admin_key);

// Prints one summary line to stdout (and flushes): `label` ("" or "final ") then the figures
// `elapsed_s` seconds into the run.
void PrintSummary(sim::ApiClient& api, const std::string& tenant, const std::string& admin_key,
                  EventTracker& events, const TrafficCounters& traffic, int64_t elapsed_s,
                  const char* label);

}  // namespace omniroute::demo
