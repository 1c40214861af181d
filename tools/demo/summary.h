#pragma once

// The demo's periodic summary line: traffic, classification, queues, offers, completions,
// waits, the people's occupancy, each queue's SLA and the services' health.

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "tools/demo/event_tracker.h"
#include "tools/demo/traffic_loop.h"
#include "tools/sim/api_client.h"

namespace omniroute::demo {

// GetQueueStats of one demo queue (`ok` false when the call failed, with its message).
struct QueueRead {
  std::string queue;
  bool ok = false;
  std::string error;
  v1::GetQueueStatsResponse stats;
};

// GetQueueStats of every demo queue, in DemoQueues() order.
std::vector<QueueRead> ReadQueues(sim::ApiClient& api, const std::string& tenant,
                                  const std::string& admin_key);

// Prints GetQueueStats of every demo queue to stdout, one line each (`prefix`, then "queue
// voice: waiting 2, answered 812, answered_within_sla 811, abandoned 0, service_level
// 0.998768"); false when a call failed (reported on stderr).
bool PrintQueueStats(sim::ApiClient& api, const std::string& tenant, const std::string& admin_key,
                     const std::string& prefix);

// GetQueueStats' service_level (0..1) as a percentage cut, not rounded, to one decimal
// ("99.9%" for 0.9996): "100.0%" only when every interaction counted was answered in time.
std::string SlaPercent(double service_level);

// The people's occupancy over about the last minute: handle time of the work they accepted in
// it over their slots times its length.
class OccupancyMeter {
 public:
  explicit OccupancyMeter(int slots) : slots_(slots) {}
  // Records `busy_ms` (handle time accepted so far, summed over the people) at `now_ms` and
  // returns the occupancy since the oldest record of the last 60 s (-1 when there is none yet).
  double Add(int64_t now_ms, int64_t busy_ms);

 private:
  const int slots_;
  std::deque<std::pair<int64_t, int64_t>> samples_;  // (ms, busy ms), oldest first
};

// Prints one summary line to stdout (and flushes): `label` ("" or "final "), the time
// `elapsed_s` seconds into the run, `tenant_label` ("" or "demo1: ") then the figures;
// `occupancy` < 0 prints "-".
void PrintSummary(sim::ApiClient& api, const std::string& tenant, const std::string& admin_key,
                  EventTracker& events, const TrafficCounters& traffic, double occupancy,
                  int64_t elapsed_s, const char* label, const std::string& tenant_label);

}  // namespace omniroute::demo
