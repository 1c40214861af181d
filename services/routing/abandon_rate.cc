#include "services/routing/abandon_rate.h"

#include <algorithm>
#include <cmath>

namespace omniroute::routing {

double AbandonRate::Observe(int64_t now_ms, int64_t waiting, int64_t abandoned_total) {
  if (last_ms_.has_value() && now_ms > *last_ms_) {
    double dt = static_cast<double>(now_ms - *last_ms_) / 1000.0;
    double decay = std::exp2(-dt / kHalfLifeSeconds);
    // A counter that went down was reset (the queue was deleted and created again).
    int64_t abandoned = std::max<int64_t>(0, abandoned_total - last_abandoned_);
    waited_seconds_ = waited_seconds_ * decay +
                      dt * static_cast<double>(std::max<int64_t>(0, waiting + last_waiting_)) / 2;
    abandoned_ = abandoned_ * decay + static_cast<double>(abandoned);
  }
  if (!last_ms_.has_value() || now_ms > *last_ms_) {
    last_ms_ = now_ms;
    last_waiting_ = waiting;
    last_abandoned_ = abandoned_total;
  }
  return waited_seconds_ < kMinWaitedSeconds ? 0 : abandoned_ / waited_seconds_;
}

}  // namespace omniroute::routing
