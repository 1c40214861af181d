#pragma once

// The bench tenants: where their keys live, their API keys (written straight to Redis) and each
// one's queue and rules.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "load-tests/redis_nodes.h"
#include "services/common/redis/redis_client.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

struct Keys {
  std::string integrator, agent, admin;
};

// One bench tenant.
struct BenchTenant {
  std::string id;
  size_t node = 0;  // index in RedisNodes of the master holding its keys
  int slot = 0;     // the hash slot of its keys
  Keys keys;        // set by CreateTenant
};

// `count` tenants: `base` alone for one (on whichever node it lands); else base-<k>, k chosen
// so that the tenants spread
// evenly over `nodes` (node order: each holds count / nodes.size(), the first count %
// nodes.size() one more). The ids are tried in order of k, so a run's ids depend only on `base`
// and the slot map.
absl::StatusOr<std::vector<BenchTenant>> PlaceTenants(const std::string& base, int count,
                                                      const RedisNodes& nodes);

// The ids of the tenants on each of `nodes` nodes.
std::vector<std::vector<std::string>> TenantIdsByNode(const std::vector<BenchTenant>& tenants,
                                                      size_t nodes);

// Creates an integrator, an agent and an admin key of `tenant` in the Redis at `endpoint`.
absl::StatusOr<Keys> CreateTenant(const redis::Endpoint& endpoint, const std::string& tenant);

// One queue taking every bench channel, three keyword rules (with skill requirements every
// bench agent meets) and the queue as the tenant default.
absl::Status ConfigureTenant(sim::ApiClient& api, const std::string& admin_key,
                             const std::vector<v1::Channel>& channels);

// The skills every bench agent has: enough for each rule ConfigureTenant puts.
std::map<std::string, int> AgentSkills();

}  // namespace omniroute::bench
