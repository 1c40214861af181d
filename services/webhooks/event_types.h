#pragma once

#include <string_view>
#include <vector>

namespace omniroute::webhooks {

// Every Event.type the tenant event feed carries (the list of Event.type in routing.proto; a
// test checks both against what the Lua scripts emit). Webhooks subscribe to these.
const std::vector<std::string_view>& KnownEventTypes();
bool IsKnownEventType(std::string_view type);

}  // namespace omniroute::webhooks
