// tenants list|show: the tenants registered in Redis (a tenant is registered when its first API
// key is stored) and what each holds.
#include <algorithm>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/api_keys.h"
#include "services/common/keys.h"
#include "services/common/redis/cluster_admin.h"
#include "services/common/redis/key_slot.h"
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
  if (auto endpoint = redis::ParseUrl(redis.url); endpoint.ok() && endpoint->cluster) {
    int slot = redis::KeySlot(keys.prefix());
    auto master = endpoint->cluster->MasterOf(slot);
    std::printf(
        "slot    %d on %s\n", slot,
        master.ok() ? master->ToString().c_str() : std::string(master.status().message()).c_str());
  }
  return kExitOk;
}

int MoveTenant(int argc, char** argv) {
  RedisFlags redis;
  std::string tenant, to;
  config::Flags flags(argv[0]);
  flags.AddPositional("TENANT", &tenant);
  flags.Add("to", &to, "the master to move the tenant to, host:port as the cluster names it");
  if (auto code = redis.Parse(
          flags,
          "Moves a tenant to another master of a Redis Cluster: its hash slot, with every key in "
          "it (other tenants whose ids hash to the same slot move too). One script on the "
          "current master copies the keys and hands the slot over, so no call ever sees the "
          "tenant half moved; the slot's tenants wait while their keys are copied. Do not move "
          "omniroute's slots with `redis-cli --cluster reshard`: it moves keys one batch at a "
          "time, and a script that runs meanwhile can fail half-way.\n",
          argc, argv)) {
    return *code;
  }
  if (auto st = ValidateTenantId("TENANT", tenant); !st.ok()) return Fail(argv[0], st);
  auto endpoint = redis::ParseUrl(redis.url);
  if (!endpoint.ok())
    return Fail(argv[0], absl::InvalidArgumentError(
                             absl::StrCat("--redis-url: ", endpoint.status().message())));
  if (endpoint->cluster == nullptr) {
    return Fail(argv[0], absl::InvalidArgumentError(
                             "--redis-url: a tenant moves between the masters of a Redis Cluster "
                             "(redis+cluster://...)"));
  }
  auto colon = to.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(to.substr(colon + 1), &port)) {
    return Fail(argv[0], absl::InvalidArgumentError("--to: must be host:port, got '" + to + "'"));
  }
  int slot = redis::KeySlot(TenantKeys(tenant).prefix());
  auto from = endpoint->cluster->MasterOf(slot);
  if (!from.ok()) return Fail(argv[0], from.status());
  redis::NodeAddress target{to.substr(0, colon), port};
  if (auto st = redis::MoveSlot(*endpoint->cluster, slot, target); !st.ok()) {
    return Fail(argv[0], st);
  }
  std::printf("tenant %s (slot %d) moved from %s to %s\n", tenant.c_str(), slot,
              from->ToString().c_str(), target.ToString().c_str());
  return kExitOk;
}

}  // namespace

std::vector<Command> TenantCommands() {
  return {{"tenants", "list", "the registered tenants", ListTenants},
          {"tenants", "show", "a tenant's queues, agents and keys (counts)", ShowTenant},
          {"tenants", "move", "move a tenant to another master of a Redis Cluster", MoveTenant}};
}

}  // namespace omniroute::ctl
