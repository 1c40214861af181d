// tenants list|show: the tenants registered in Redis (a tenant is registered when its first API
// key is stored) and what each holds.
#include <algorithm>
#include <cstdio>

#include "services/common/api_keys.h"
#include "services/common/keys.h"
#include "services/common/validation.h"
#include "tools/ctl/ctl.h"

namespace omniroute::ctl {
namespace {

int ListTenants(int argc, char** argv) {
  RedisFlags redis;
  config::Flags flags(argv[0]);
  if (auto code = redis.Parse(flags,
                              "Prints the registered tenants, one per line, sorted. A tenant is "
                              "registered when its first API key is stored.\n",
                              argc, argv)) {
    return *code;
  }
  auto conn = redis.Connect();
  if (!conn.ok()) return Fail(argv[0], conn.status());
  auto reply = (*conn)->Command({"SMEMBERS", kTenantsKey});
  if (!reply.ok()) return Fail(argv[0], reply.status());
  if (auto st = redis::ReplyError(*reply, "tenants"); !st.ok()) return Fail(argv[0], st);
  auto tenants = redis::ReplyStrings(*reply);
  std::sort(tenants.begin(), tenants.end());
  for (const auto& t : tenants) std::printf("%s\n", t.c_str());
  return kExitOk;
}

int ShowTenant(int argc, char** argv) {
  RedisFlags redis;
  std::string tenant;
  config::Flags flags(argv[0]);
  flags.AddPositional("TENANT", &tenant);
  if (auto code = redis.Parse(flags,
                              "Prints what a tenant holds: queues, agents (logged in or not) and "
                              "API keys.\n",
                              argc, argv)) {
    return *code;
  }
  if (auto st = ValidateTenantId("TENANT", tenant); !st.ok()) return Fail(argv[0], st);
  auto conn = redis.Connect();
  if (!conn.ok()) return Fail(argv[0], conn.status());
  TenantKeys keys(tenant);
  auto replies = (*conn)->Pipeline(
      {{"SISMEMBER", kTenantsKey, tenant}, {"SCARD", keys.Queues()}, {"SCARD", keys.Agents()}});
  if (!replies.ok()) return Fail(argv[0], replies.status());
  for (const auto& r : *replies) {
    if (auto st = redis::ReplyError(r, "tenant"); !st.ok()) return Fail(argv[0], st);
  }
  if ((*replies)[0].integer == 0) {
    return Fail(argv[0], absl::NotFoundError("no tenant '" + tenant + "' (see `tenants list`)"));
  }
  auto api_keys = ListApiKeys(**conn, tenant);
  if (!api_keys.ok()) return Fail(argv[0], api_keys.status());
  std::printf("tenant  %s\nqueues  %lld\nagents  %lld\nkeys    %zu\n", tenant.c_str(),
              static_cast<long long>((*replies)[1].integer),
              static_cast<long long>((*replies)[2].integer), api_keys->size());
  return kExitOk;
}

}  // namespace

std::vector<Command> TenantCommands() {
  return {{"tenants", "list", "the registered tenants", ListTenants},
          {"tenants", "show", "a tenant's queues, agents and keys (counts)", ShowTenant}};
}

}  // namespace omniroute::ctl
