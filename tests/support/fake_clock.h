#pragma once

#include <atomic>
#include <cstdint>

#include "services/common/clock.h"

namespace omniroute::testing {

// A clock that tests move by hand.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t NowMs() const override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }
  void Set(int64_t ms) { now_ = ms; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace omniroute::testing
