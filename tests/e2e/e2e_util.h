// Helpers shared by the e2e tests: polling with a deadline and the clocks (here), and through
// the headers below Redis inspection (e2e_redis.h), raw gRPC calls and tenant setup over the
// Admin API (e2e_grpc.h), reading the tenant event feed (e2e_feed.h), replaying it to check the
// routing invariants (e2e_replay.h), and fetching a replica's /metrics over a loopback socket
// (e2e_process.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

#include "tests/e2e/e2e_feed.h"
#include "tests/e2e/e2e_grpc.h"
#include "tests/e2e/e2e_process.h"
#include "tests/e2e/e2e_redis.h"
#include "tests/e2e/e2e_replay.h"

namespace omniroute::e2e {

using Clock = std::chrono::steady_clock;

// Polls `pred` every `every` until it holds or `timeout` passes; returns its last value.
inline bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

// Wall-clock ms since the epoch (the services' clock).
inline int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace omniroute::e2e
