#pragma once

// Health of the three services as the demo reports and waits for it.

#include <string>

#include "tools/sim/api_client.h"

namespace omniroute::demo {

// "intake SERVING, classification SERVING, routing NOT_SERVING" (one health check each).
std::string HealthLine(sim::ApiClient& api);

// Polls the three services until all are SERVING (true) or `seconds` pass (false, and
// `not_serving` names the ones that are not).
bool WaitHealthy(sim::ApiClient& api, int seconds, std::string* not_serving);

}  // namespace omniroute::demo
