// RoutingEngine: the timers and the sweep, one script per tenant in one pipeline.
#include "absl/strings/str_cat.h"
#include "services/common/business_hours.h"
#include "services/common/keys.h"
#include "services/routing/engine_util.h"
#include "services/routing/routing_engine.h"

namespace omniroute::routing {

using internal::ToInt;
using internal::Unavailable;

std::vector<std::vector<std::string>> RoutingEngine::PerTenantCommands(
    const std::string& script, const std::vector<std::string>& tenants,
    const std::function<std::vector<std::string>(const TenantKeys&)>& keys_of,
    const std::vector<std::string>& extra_args) const {
  std::string now = std::to_string(clock_->NowMs());
  std::vector<std::vector<std::string>> cmds;
  for (const auto& t : tenants) {
    TenantKeys keys(t);
    std::vector<std::string> args = {keys.prefix(), now};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    cmds.push_back(scripts_->Command(script, keys_of(keys), args));
  }
  return cmds;
}

absl::StatusOr<int64_t> RoutingEngine::RunPerTenant(
    const std::string& script, const std::vector<std::string>& tenants,
    const std::function<std::vector<std::string>(const TenantKeys&)>& keys_of,
    const std::vector<std::string>& extra_args, std::map<std::string, int64_t>* per_tenant) {
  if (tenants.empty()) return 0;
  auto cmds = PerTenantCommands(script, tenants, keys_of, extra_args);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  int64_t total = 0;
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (auto st = redis::ReplyError(r, script); !st.ok()) return st;
    total += r.integer;
    if (per_tenant != nullptr && r.integer != 0) (*per_tenant)[tenants[i]] += r.integer;
  }
  return total;
}

namespace {

std::vector<std::string> TimerKeys(const TenantKeys& k) { return {k.Timers(), k.Events()}; }
std::vector<std::string> WrapUpKeys(const TenantKeys& k) { return {k.WrapUps(), k.Events()}; }

}  // namespace

std::vector<std::string> RoutingEngine::ExpireOffersArgs() const {
  return {"200", std::to_string(options_.event_max_len), std::to_string(options_.skip_ms),
          std::to_string(options_.finished_ttl_seconds)};
}

absl::StatusOr<int64_t> RoutingEngine::ExpireOffers(const std::vector<std::string>& tenants,
                                                    std::map<std::string, int64_t>* per_tenant) {
  return RunPerTenant("routing/expire_offers", tenants, TimerKeys, ExpireOffersArgs(), per_tenant);
}

absl::StatusOr<int64_t> RoutingEngine::EndWrapUps(const std::vector<std::string>& tenants) {
  return RunPerTenant("routing/end_wrapups", tenants, WrapUpKeys,
                      {"200", std::to_string(options_.event_max_len)});
}

std::vector<std::vector<std::string>> RoutingEngine::TimerCommands(
    const std::vector<std::string>& tenants) const {
  auto cmds = PerTenantCommands("routing/expire_offers", tenants, TimerKeys, ExpireOffersArgs());
  for (auto& c : PerTenantCommands("routing/end_wrapups", tenants, WrapUpKeys,
                                   {"200", std::to_string(options_.event_max_len)})) {
    cmds.push_back(std::move(c));
  }
  return cmds;
}

absl::StatusOr<int64_t> RoutingEngine::Sweep(const std::vector<std::string>& tenants) {
  return RunPerTenant("routing/sweep", tenants,
                      [](const TenantKeys& k) {
                        return std::vector<std::string>{k.Queues(), k.Events()};
                      },
                      {std::to_string(options_.event_max_len)});
}

absl::Status RoutingEngine::RefreshOpenFlags(const std::vector<std::string>& tenants) {
  int64_t now = clock_->NowMs();
  for (const auto& tenant : tenants) {
    auto queues = ListQueues(tenant);
    if (!queues.ok()) return queues.status();
    std::vector<std::vector<std::string>> cmds;
    for (const auto& q : *queues) {
      if (q.business_hours().windows().empty()) continue;
      auto open = IsOpen(q.business_hours(), now);
      if (!open.ok()) continue;
      TenantKeys keys(tenant);
      cmds.push_back(scripts_->Command("routing/set_open", {keys.QueueConfig(q.name())},
                                       {keys.prefix(), q.name(), *open ? "1" : "0"}));
    }
    if (cmds.empty()) continue;
    auto conn = pool_->Acquire();
    if (!conn.ok()) return Unavailable(conn.status());
    auto r = (*conn)->Pipeline(cmds);
    if (!r.ok()) return Unavailable(r.status());
    if (auto st = scripts_->FixNoScript(**conn, cmds, *r); !st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace omniroute::routing
