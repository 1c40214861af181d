#pragma once

// The demo's steady traffic: sim::RunTraffic in one-second chunks, so the submitted count is
// live for the summary line.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/sim/api_client.h"

namespace omniroute::demo {

// Written by TrafficLoop, read by the summary line.
struct TrafficCounters {
  std::atomic<int64_t> submitted{0};
  std::atomic<int64_t> failed{0};
};

// Submits `rate` interactions per second over `channels` (picked at random from `seed` on, so
// repeats weigh more) until `stop`, with idempotency keys <run_id>-<chunk>-<n>. Catches up at
// most 5 s.
void TrafficLoop(sim::ApiClient& api, const std::string& key, double rate,
                 std::vector<v1::Channel> channels, const std::string& run_id, uint64_t seed,
                 const std::atomic<bool>& stop, TrafficCounters& counters);

}  // namespace omniroute::demo
