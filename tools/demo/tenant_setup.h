#pragma once

// The demo tenant's queues and classification config.

#include <string>
#include <utility>
#include <vector>

#include "tools/sim/api_client.h"

namespace omniroute::demo {

// One demo queue: who may take it and its service level.
struct QueueSpec {
  std::string name;
  std::vector<v1::Channel> channels;
  std::vector<std::pair<std::string, int>> skills;  // required skill -> minimum proficiency
  int sla_seconds;
  int sla_percent;
  int offer_timeout_seconds;
};

// voice, chat, email and billing (chat + email, billing skill >= 2; bullseye steps at 15 s
// lower it to 1 and at 40 s add the chat agents), and selfservice (the bot's queue: password
// resets on chat and email go there first).
const std::vector<QueueSpec>& DemoQueues();
// The tenant's self-service (bot) queue.
inline constexpr char kSelfServiceQueue[] = "selfservice";

// The demo tenant's classification config: fraud -> P1 everywhere; billing words on chat and
// email -> the billing queue at P2; password resets -> the self-service queue (the bot);
// otherwise a queue per channel at P3, with five Banking77 intents mapped (category, priority).
v1::TenantConfig DemoTenantConfig();

// Puts the demo queues and DemoTenantConfig(). Idempotent. Prints the failing call to stderr
// and returns false on error.
bool SetUpTenant(sim::ApiClient& api, const std::string& tenant, const std::string& admin_key);

}  // namespace omniroute::demo
