#include "services/intake/intake_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "services/common/interaction_codec.h"
#include "services/common/keys.h"
#include "services/common/validation.h"

namespace omniroute::intake {

std::vector<absl::StatusOr<SubmitOutcome>> IntakeStore::Submit(
    const std::string& tenant, const std::vector<const Submission*>& batch) {
  std::vector<absl::StatusOr<SubmitOutcome>> results;
  TenantKeys keys(tenant);
  std::string now = std::to_string(clock_->NowMs());
  std::vector<std::vector<std::string>> cmds;
  cmds.reserve(batch.size());
  for (const Submission* s : batch) {
    std::string id = ids_->NewId();
    std::string ix = keys.Interaction(id);
    std::vector<std::string> args = {keys.prefix(),   id,  s->idempotency_key,
                                     Fingerprint(*s), now, std::to_string(options_.event_max_len),
                                     s->queue};
    for (auto& f : HashFields(*s)) args.push_back(std::move(f));
    std::string idem = s->idempotency_key.empty() ? ix : keys.Idempotency(s->idempotency_key);
    cmds.push_back(
        scripts_->Command("intake/submit", {ix, idem, keys.IntakeStream(), keys.Events()}, args));
  }
  auto fail_all = [&](const absl::Status& st) {
    results.assign(batch.size(),
                   absl::UnavailableError(absl::StrCat("interaction not stored: ", st.message())));
    return results;
  };
  auto conn = pool_->Acquire();
  if (!conn.ok()) return fail_all(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return fail_all(replies.status());
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return fail_all(st);
  for (const auto& r : *replies) {
    auto parts = redis::ReplyStrings(r);
    if (r.is_error() || parts.size() != 2) {
      results.push_back(absl::InternalError(absl::StrCat("interaction not stored: ", r.str)));
    } else if (parts[0] == "created" || parts[0] == "duplicate") {
      results.push_back(SubmitOutcome{parts[1], parts[0] == "created"});
    } else if (parts[0] == "conflict") {
      results.push_back(
          absl::AlreadyExistsError(absl::StrCat("idempotency_key: already used for interaction ",
                                                parts[1], " with a different request")));
    } else if (parts[0] == "no_queue") {
      results.push_back(
          absl::InvalidArgumentError(absl::StrCat("queue: no queue named '", parts[1], "'")));
    } else {
      results.push_back(absl::InternalError(absl::StrCat("unexpected reply ", parts[0])));
    }
  }
  return results;
}

absl::StatusOr<double> IntakeStore::UpsertCustomer(const std::string& tenant,
                                                   const v1::Customer& c) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return absl::UnavailableError(conn.status().message());
  auto reply = scripts_->Eval(
      **conn, "intake/upsert_customer", {keys.CustomerProfile(c.customer_id())},
      {keys.prefix(), c.customer_id(), std::to_string(clock_->NowMs()), c.tier(),
       absl::StrFormat("%.2f", c.annual_value()), absl::StrFormat("%.4f", c.churn_risk()),
       std::to_string(c.renewal_date_ms()), c.preferred_agent_id()});
  if (!reply.ok()) return reply.status();
  double boost = 0;
  if (!absl::SimpleAtod(reply->str, &boost)) {
    return absl::InternalError("upsert_customer: unexpected reply");
  }
  return boost;
}

absl::StatusOr<v1::InteractionState> IntakeStore::Cancel(const std::string& tenant,
                                                         const std::string& id,
                                                         const std::string& reason,
                                                         Abandoned* abandoned) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return absl::UnavailableError(conn.status().message());
  auto reply = scripts_->Eval(
      **conn, "intake/cancel", {keys.Interaction(id), keys.Events()},
      {keys.prefix(), id, std::to_string(clock_->NowMs()), reason,
       std::to_string(options_.event_max_len), std::to_string(options_.finished_ttl_seconds)});
  if (!reply.ok()) return reply.status();
  auto parts = redis::ReplyStrings(*reply);
  if (parts.size() < 2) return absl::InternalError("cancel: unexpected reply");
  if (parts[0] == "not_found") {
    return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", id));
  }
  if (parts[0] == "assigned") {
    return absl::FailedPreconditionError(
        "interaction_id: the interaction is assigned to an agent; the agent completes it");
  }
  if (parts[0] == "terminal") return StateFromName(parts[1]);
  if (abandoned != nullptr && parts.size() == 4 && !parts[2].empty()) {
    abandoned->queue = parts[2];
    int channel = 0;
    abandoned->channel = absl::SimpleAtoi(parts[3], &channel) ? channel : 0;
  }
  return v1::INTERACTION_STATE_CANCELED;
}

absl::StatusOr<std::vector<IntakeStore::QueueChannel>> IntakeStore::ListQueueChannels() {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return absl::UnavailableError(conn.status().message());
  auto tenants = (*conn)->Command({"SMEMBERS", kTenantsKey});
  if (!tenants.ok()) return absl::UnavailableError(tenants.status().message());
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> cmds;
  for (auto& t : redis::ReplyStrings(*tenants)) {
    if (!ValidateTenantId("tenant", t).ok()) continue;  // never a label from a bad key
    cmds.push_back({"SMEMBERS", TenantKeys(t).Queues()});
    names.push_back(std::move(t));
  }
  if (cmds.empty()) return std::vector<QueueChannel>{};
  auto queues = (*conn)->Pipeline(cmds);
  if (!queues.ok()) return absl::UnavailableError(queues.status().message());
  std::vector<std::pair<std::string, std::string>> tenant_queue;
  cmds.clear();
  for (size_t i = 0; i < names.size(); ++i) {
    for (auto& q : redis::ReplyStrings((*queues)[i])) {
      if (!ValidateName("queue", q).ok()) continue;
      cmds.push_back({"HGET", TenantKeys(names[i]).QueueConfig(q), "channels"});
      tenant_queue.emplace_back(names[i], std::move(q));
    }
  }
  if (cmds.empty()) return std::vector<QueueChannel>{};
  auto channels = (*conn)->Pipeline(cmds);
  if (!channels.ok()) return absl::UnavailableError(channels.status().message());
  std::vector<QueueChannel> out;
  for (size_t i = 0; i < tenant_queue.size(); ++i) {
    for (absl::string_view c : absl::StrSplit((*channels)[i].str, ',', absl::SkipEmpty())) {
      int ch = 0;
      if (absl::SimpleAtoi(c, &ch) && ch > 0 && ch <= kMaxChannel) {
        out.push_back({tenant_queue[i].first, tenant_queue[i].second, ch});
      }
    }
  }
  return out;
}

absl::StatusOr<v1::Interaction> IntakeStore::Get(const std::string& tenant, const std::string& id) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return absl::UnavailableError(conn.status().message());
  auto reply = (*conn)->Command({"HGETALL", TenantKeys(tenant).Interaction(id)});
  if (!reply.ok()) return absl::UnavailableError(reply.status().message());
  auto kv = redis::ReplyStrings(*reply);
  if (kv.empty()) return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", id));
  return InteractionFromHash(tenant, kv);
}

}  // namespace omniroute::intake
