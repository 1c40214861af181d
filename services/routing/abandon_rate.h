#pragma once

#include <cstdint>
#include <optional>

namespace omniroute::routing {

// The abandonment rate of a queue's waiting work (theta, per second: 1 / mean patience) from
// what the gauge loop samples every couple of seconds: the work waiting and the queue's
// abandoned counter. Abandonments divided by the time waited in the same span (the
// exponential-patience estimate; the time waited is the waiting count integrated over time,
// Little's law), both decayed with a half-life so the rate follows the recent past. Each routing
// replica keeps its own; a new one starts again from nothing.
class AbandonRate {
 public:
  // Records a sample taken at `now_ms`; returns theta, or 0 while fewer than
  // kMinWaitedSeconds of waiting were seen.
  double Observe(int64_t now_ms, int64_t waiting, int64_t abandoned_total);

  static constexpr double kHalfLifeSeconds = 600;
  static constexpr double kMinWaitedSeconds = 60;

 private:
  std::optional<int64_t> last_ms_;
  int64_t last_waiting_ = 0;
  int64_t last_abandoned_ = 0;
  double waited_seconds_ = 0;  // decayed
  double abandoned_ = 0;       // decayed
};

}  // namespace omniroute::routing
