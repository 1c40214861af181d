// A generated workload for the e2e scenario driver (workload_scenario.h): Poisson arrival
// streams with exponential handle times and patience, drawn deterministically from a seed.
// Pure logic (no network), so unit tests reach it without the services.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "omniroute/v1/common.pb.h"

namespace omniroute::e2e {

// Handle times are floored here: an agent never finishes faster.
inline constexpr int64_t kMinHandleMs = 50;

// One Poisson arrival stream.
struct ArrivalStreamSpec {
  std::string queue;  // Submit's requested queue
  v1::Channel channel = v1::CHANNEL_CHAT;
  v1::Priority priority = v1::PRIORITY_P3;
  double rate_per_second = 1;
  double mean_handle_ms = 1000;  // exponential, floored at kMinHandleMs
  double mean_patience_ms = 0;   // exponential (at least 1 ms); 0 = never abandons
};

// One generated interaction.
struct ScenarioArrival {
  int64_t at_ms = 0;  // offset from the run's start
  std::string queue;
  v1::Channel channel = v1::CHANNEL_CHAT;
  v1::Priority priority = v1::PRIORITY_P3;
  int64_t handle_ms = 0;
  int64_t patience_ms = 0;  // 0 = never abandons
  std::string key;          // idempotency key: "<key_prefix>-<seed>-<index>"
};

// The arrivals of every stream over [0, duration_ms), merged in time order (ties by stream
// order). The same (streams, duration_ms, seed) always gives the same arrivals on every
// platform: each stream draws from its own generator seeded from (seed, stream index), so
// adding a stream leaves the others' draws as they were. `key_prefix` keeps the idempotency
// keys of two runs with the same seed on one tenant apart (a key is remembered for 24 h).
// Precondition: rate_per_second > 0, means >= 0, duration_ms >= 0.
std::vector<ScenarioArrival> GenerateArrivals(const std::vector<ArrivalStreamSpec>& streams,
                                              int64_t duration_ms, uint64_t seed,
                                              const std::string& key_prefix = "wl");

}  // namespace omniroute::e2e
