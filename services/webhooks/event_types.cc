#include "services/webhooks/event_types.h"

#include <algorithm>

namespace omniroute::webhooks {

const std::vector<std::string_view>& KnownEventTypes() {
  static const std::vector<std::string_view> types = {
      "submitted",
      "classified",
      "reclassified",
      "queued",
      "overflowed",
      "rejected_by_policy",
      "deflection_skipped",
      "reserved",
      "reservation_expired",
      "offered",
      "accepted",
      "rejected",
      "offer_timeout",
      "offer_rescinded",
      "transferred",
      "escalated",
      "reprioritized",
      "rescored",
      "step_opened",
      "wrap_up_started",
      "wrap_up_ended",
      "completed",
      "canceled",
      "agent_state",
  };
  return types;
}

bool IsKnownEventType(std::string_view type) {
  const auto& types = KnownEventTypes();
  return std::find(types.begin(), types.end(), type) != types.end();
}

}  // namespace omniroute::webhooks
