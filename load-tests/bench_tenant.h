#pragma once

// The bench tenant: its API keys (written straight to Redis) and its one queue and rules.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

struct Keys {
  std::string integrator, agent, admin;
};

// Creates an integrator, an agent and an admin key of `tenant` in the Redis at `endpoint`.
absl::StatusOr<Keys> CreateTenant(const redis::Endpoint& endpoint, const std::string& tenant);

// One queue taking every bench channel, three keyword rules (with skill requirements every
// bench agent meets) and the queue as the tenant default.
absl::Status ConfigureTenant(sim::ApiClient& api, const std::string& admin_key,
                             const std::vector<v1::Channel>& channels);

// The skills every bench agent has: enough for each rule ConfigureTenant puts.
std::map<std::string, int> AgentSkills();

}  // namespace omniroute::bench
