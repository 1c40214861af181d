#include "load-tests/bench_tenant.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/auth.h"
#include "services/common/keys.h"
#include "services/common/redis/key_slot.h"

namespace omniroute::bench {

absl::StatusOr<std::vector<BenchTenant>> PlaceTenants(const std::string& base, int count,
                                                      const RedisNodes& nodes) {
  const size_t n = nodes.size();
  std::vector<int> room(n);
  for (size_t i = 0; i < n; ++i) {
    // One tenant goes wherever its id lands.
    room[i] = count == 1 ? 1
                         : count / static_cast<int>(n) +
                               (static_cast<int>(i) < count % static_cast<int>(n));
  }
  std::vector<BenchTenant> out;
  // A slot lands on a given master with probability ~1/n: 100 tries per tenant are plenty.
  for (int k = 0; static_cast<int>(out.size()) < count && k < 100 * count; ++k) {
    std::string id = count == 1 ? base : absl::StrCat(base, "-", k);
    auto node = nodes.NodeOf(id);
    if (!node.ok()) return node.status();
    if (room[*node] == 0) continue;
    --room[*node];
    out.push_back({id, *node, redis::KeySlot(TenantKeys(id).prefix()), {}});
  }
  if (static_cast<int>(out.size()) < count) {
    return absl::InternalError(
        absl::StrCat("could not spread ", count, " tenants over ", n, " masters"));
  }
  return out;
}

std::vector<std::vector<std::string>> TenantIdsByNode(const std::vector<BenchTenant>& tenants,
                                                      size_t nodes) {
  std::vector<std::vector<std::string>> out(nodes);
  for (const auto& t : tenants) {
    if (t.node < nodes) out[t.node].push_back(t.id);
  }
  return out;
}

absl::StatusOr<Keys> CreateTenant(const redis::Endpoint& endpoint, const std::string& tenant) {
  auto conn = redis::Connection::Open(endpoint, std::chrono::milliseconds(5000));
  if (!conn.ok()) return conn.status();
  auto integrator = CreateApiKey(**conn, tenant, {Role::kIntegrator}, "bench");
  auto agent = CreateApiKey(**conn, tenant, {Role::kAgent}, "bench");
  auto admin = CreateApiKey(**conn, tenant, {Role::kAdmin}, "bench");
  if (!integrator.ok()) return integrator.status();
  if (!agent.ok()) return agent.status();
  if (!admin.ok()) return admin.status();
  return Keys{*integrator, *agent, *admin};
}

absl::Status ConfigureTenant(sim::ApiClient& api, const std::string& admin_key,
                             const std::vector<v1::Channel>& channels) {
  v1::PutQueueRequest q;
  auto* queue = q.mutable_queue();
  queue->set_name("bench");
  for (auto c : channels) queue->add_channels(c);
  queue->set_sla_threshold_seconds(20);
  queue->set_sla_target_percent(80);
  queue->set_offer_timeout_seconds(60);
  // Measure routing, not the preferred-agent wait: with 1,000 simulated customers most work has
  // a "last agent", who would otherwise be waited for while busy (it still gets work first
  // when free).
  queue->set_preferred_agent_seconds(-1);
  v1::PutQueueResponse qr;
  auto st = api.admin().PutQueue(sim::ApiClient::Context(admin_key).get(), q, &qr);
  if (!st.ok()) return absl::InternalError("PutQueue: " + st.error_message());

  v1::PutTenantConfigRequest c;
  auto* config = c.mutable_config();
  struct Rule {
    const char* name;
    std::vector<const char*> keywords;
    v1::Priority priority;
  };
  for (const Rule& r : {Rule{"billing", {"bill", "charged", "invoice", "refund"}, v1::PRIORITY_P2},
                        Rule{"cards", {"card", "fraud"}, v1::PRIORITY_P1},
                        Rule{"access", {"password", "locked"}, v1::PRIORITY_P3}}) {
    auto* rule = config->add_rules();
    rule->set_name(r.name);
    for (const char* k : r.keywords) rule->add_keywords(k);
    rule->set_category(r.name);
    rule->set_priority(r.priority);
    auto* skill = rule->add_required_skills();
    skill->set_name(r.name);
    skill->set_proficiency(2);
    rule->set_queue("bench");
  }
  config->set_default_queue("bench");
  v1::PutTenantConfigResponse cr;
  st = api.admin().PutTenantConfig(sim::ApiClient::Context(admin_key).get(), c, &cr);
  if (!st.ok()) return absl::InternalError("PutTenantConfig: " + st.error_message());
  return absl::OkStatus();
}

std::map<std::string, int> AgentSkills() { return {{"billing", 3}, {"cards", 3}, {"access", 3}}; }

}  // namespace omniroute::bench
