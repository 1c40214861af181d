// What-if replay: a recorded workload run through the routing scripts on a scratch Redis with
// a virtual clock. Arrivals are stored and classified as recorded (the classifier is not run:
// the replay is about routing), agents accept every offer at once and hold the work for its
// recorded handle time, customers give up at their patience, and the routing timers fire on
// the virtual clock at the routing replicas' intervals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"
#include "services/common/redis/redis_client.h"
#include "services/whatif/replay_stats.h"

namespace omniroute::whatif {

// What one replay runs: the workload's arrivals under a config, queues and roster.
struct ReplayInput {
  v1::TenantConfig config;
  std::vector<v1::Queue> queues;
  std::vector<v1::WorkloadAgentChange> roster;  // by at_ms
};

struct ReplayOptions {
  uint64_t seed = 1;
  int timer_interval_ms = 100;   // as the routing replicas' --timer-interval-ms
  int sweep_interval_ms = 1000;  // and --sweep-interval-ms
  int64_t skip_ms = 30000;       // and --skip-ms
  // Follow the window's arrivals past its end (no new arrivals, the roster as it was at the
  // end) until each has ended, for at most kMaxDrainMs of virtual time: each arrival's outcome
  // counts, as a real run that lets its queues empty measures it.
  bool drain = true;
  static constexpr int64_t kMaxDrainMs = 3600 * 1000;
};

// Checks a workload (window, arrivals in order, channels, queues named); the error names the
// field.
absl::Status ValidateWorkload(const v1::Workload& workload);

// The workload's own config, queues and roster.
ReplayInput CurrentInput(const v1::Workload& workload);

// Replays `workload` under `input` on the Redis at `scratch`, which it FLUSHes first: only ever
// a private one (ScratchRedis).
absl::StatusOr<v1::WhatIfRun> Replay(const redis::Endpoint& scratch, const v1::Workload& workload,
                                     const ReplayInput& input, const ReplayOptions& options);

}  // namespace omniroute::whatif
