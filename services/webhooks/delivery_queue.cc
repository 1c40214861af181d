#include "services/webhooks/delivery_queue.h"

#include "absl/strings/str_cat.h"
#include "services/common/keys.h"
#include "services/common/redis/text_reply.h"
#include "services/common/validation.h"

namespace omniroute::webhooks {

using redis::ToInt;
using redis::Unavailable;

absl::StatusOr<FanOutResult> DeliveryQueue::FanOut(const std::string& tenant) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = scripts_->Eval(**conn, "webhooks/fanout", {keys.Events(), keys.WebhookRoutes()},
                          {keys.prefix(), kWebhookGroup, std::to_string(options_.fanout_batch),
                           std::to_string(clock_->NowMs()), std::to_string(options_.max_pending)});
  if (!r.ok()) return r.status();
  auto counts = redis::ReplyStrings(*r);
  if (counts.size() != 3) return absl::InternalError("fanout: unexpected reply");
  return FanOutResult{ToInt(counts[0]), ToInt(counts[1]), ToInt(counts[2])};
}

absl::StatusOr<std::vector<Lease>> DeliveryQueue::Claim(const std::string& tenant, int max) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = scripts_->Eval(**conn, "webhooks/claim", {keys.WebhookDue()},
                          {keys.prefix(), std::to_string(clock_->NowMs()),
                           std::to_string(options_.lease_ms), std::to_string(max)});
  if (!r.ok()) return r.status();
  auto v = redis::ReplyStrings(*r);
  if (v.size() % 7 != 0) return absl::InternalError("claim: unexpected reply");
  std::vector<Lease> out;
  for (size_t i = 0; i < v.size(); i += 7) {
    Lease l;
    l.tenant = tenant;
    l.member = v[i];
    l.token = v[i + 1];
    l.attempts = static_cast<int>(ToInt(v[i + 2]));
    l.entry = v[i + 3];
    l.url = v[i + 4];
    l.secret = v[i + 5];
    l.previous_secret = v[i + 6];
    out.push_back(std::move(l));
  }
  return out;
}

absl::StatusOr<bool> DeliveryQueue::Settle(const Lease& lease,
                                           const std::vector<std::string>& args) {
  TenantKeys keys(lease.tenant);
  std::vector<std::string> all = {keys.prefix(), lease.member, lease.token};
  all.insert(all.end(), args.begin(), args.end());
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = scripts_->Eval(**conn, "webhooks/settle", {keys.WebhookDue()}, all);
  if (!r.ok()) return r.status();
  return r->str == "ok";
}

absl::StatusOr<bool> DeliveryQueue::Delivered(const Lease& lease) {
  return Settle(lease, {"delivered", std::to_string(clock_->NowMs())});
}

absl::StatusOr<bool> DeliveryQueue::Retry(const Lease& lease, int64_t due_ms) {
  return Settle(lease, {"retry", std::to_string(clock_->NowMs()), std::to_string(due_ms)});
}

absl::StatusOr<bool> DeliveryQueue::DeadLetter(const Lease& lease,
                                               const v1::WebhookDeadLetter& dead) {
  return Settle(lease, {"dead", std::to_string(clock_->NowMs()), dead.delivery_id(),
                        dead.SerializeAsString(), std::to_string(options_.dead_letter_max)});
}

absl::StatusOr<Backlog> DeliveryQueue::ReadBacklog(const std::string& tenant) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = (*conn)->Pipeline({{"HVALS", keys.WebhookPending()},
                              {"ZCARD", keys.WebhookDead()},
                              {"XINFO", "GROUPS", keys.Events()}});
  if (!r.ok()) return Unavailable(r.status());
  for (size_t i = 0; i < 2; ++i) {
    if (auto st = redis::ReplyError((*r)[i], "backlog"); !st.ok()) return st;
  }
  Backlog b;
  for (const auto& n : redis::ReplyStrings((*r)[0])) b.pending += std::max<int64_t>(0, ToInt(n));
  b.dead_letters = (*r)[1].integer;
  // XINFO GROUPS fails when the feed does not exist yet: nothing unread then.
  for (const auto& group : (*r)[2].elements) {
    auto f = redis::ReplyStrings(group);
    bool ours = false;
    int64_t lag = 0;
    for (size_t i = 0; i + 1 < f.size(); i += 2) {
      if (f[i] == "name") ours = f[i + 1] == kWebhookGroup;
      if (f[i] == "lag") lag = ToInt(f[i + 1]);
    }
    if (ours) b.unread = lag;
  }
  return b;
}

absl::StatusOr<std::vector<std::string>> DeliveryQueue::Tenants() {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = (*conn)->Command({"SMEMBERS", kWebhookTenantsKey});
  if (!r.ok()) return Unavailable(r.status());
  if (auto st = redis::ReplyError(*r, "SMEMBERS"); !st.ok()) return st;
  std::vector<std::string> out;
  for (auto& t : redis::ReplyStrings(*r)) {
    if (ValidateTenantId("tenant", t).ok()) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace omniroute::webhooks
