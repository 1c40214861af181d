#include "services/intake/intake_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "services/common/interaction_codec.h"
#include "services/common/keys.h"
#include "services/common/validation.h"
#include "services/common/wait_estimate.h"

namespace omniroute::intake {
namespace {

// The outcome of one submission as intake/submit.lua answers it.
absl::StatusOr<SubmitOutcome> SubmitReply(const std::vector<std::string>& parts) {
  if (parts.size() != 2) return absl::InternalError("interaction not stored: bad script reply");
  if (parts[0] == "created" || parts[0] == "duplicate") {
    return SubmitOutcome{parts[1], parts[0] == "created"};
  }
  if (parts[0] == "conflict") {
    return absl::AlreadyExistsError(absl::StrCat("idempotency_key: already used for interaction ",
                                                 parts[1], " with a different request"));
  }
  if (parts[0] == "no_queue") {
    return absl::InvalidArgumentError(absl::StrCat("queue: no queue named '", parts[1], "'"));
  }
  return absl::InternalError(absl::StrCat("unexpected reply ", parts[0]));
}

}  // namespace

std::vector<absl::StatusOr<SubmitOutcome>> IntakeStore::Submit(
    const std::string& tenant, const std::vector<const Submission*>& batch,
    int64_t deadline_unix_ms) {
  std::vector<absl::StatusOr<SubmitOutcome>> results;
  if (batch.empty()) return results;
  TenantKeys keys(tenant);
  // One script call stores the whole batch (intake/submit.lua), in chunks that keep each call
  // short: Redis runs nothing else while a script runs.
  std::vector<std::vector<std::string>> cmds;
  for (size_t from = 0; from < batch.size(); from += kSubmitChunk) {
    size_t to = std::min(batch.size(), from + kSubmitChunk);
    std::vector<std::string> args = {keys.prefix(), std::to_string(clock_->NowMs()),
                                     std::to_string(options_.event_max_len),
                                     std::to_string(to - from), std::to_string(deadline_unix_ms)};
    for (size_t i = from; i < to; ++i) {
      const Submission* s = batch[i];
      std::vector<std::string> fields = HashFields(*s);
      args.push_back(ids_->NewId());
      args.push_back(s->idempotency_key);
      args.push_back(Fingerprint(*s));
      args.push_back(s->queue);
      args.push_back(std::to_string(fields.size() / 2));
      for (auto& f : fields) args.push_back(std::move(f));
    }
    cmds.push_back(scripts_->Command("intake/submit", {keys.IntakeStream(), keys.Events()}, args));
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
  for (size_t k = 0; k < replies->size(); ++k) {
    const auto& chunk = (*replies)[k];
    size_t expected = std::min(kSubmitChunk, batch.size() - k * kSubmitChunk);
    if (chunk.type == redis::Reply::Type::kString && chunk.str == "expired") {
      auto st = absl::DeadlineExceededError(
          "interaction not stored: the call's deadline had passed when Redis ran it");
      for (size_t i = 0; i < expected; ++i) results.push_back(st);
      continue;
    }
    if (chunk.is_error() || chunk.elements.size() != expected) {
      absl::Status st = redis::ReplyError(chunk, "interaction not stored");
      if (st.ok()) st = absl::InternalError("interaction not stored: bad script reply");
      for (size_t i = 0; i < expected; ++i) results.push_back(st);
      continue;
    }
    for (const auto& r : chunk.elements) results.push_back(SubmitReply(redis::ReplyStrings(r)));
  }
  if (options_.wait_replicas > 0) WaitForReplicas(**conn, keys, results);
  return results;
}

void IntakeStore::WaitForReplicas(redis::Connection& conn, const TenantKeys& keys,
                                  std::vector<absl::StatusOr<SubmitOutcome>>& results) {
  if (std::none_of(results.begin(), results.end(), [](const auto& r) { return r.ok(); })) return;
  // WAIT goes to the node of the command before it: the tenant's master.
  auto replies = conn.Pipeline(
      {{"EXISTS", keys.IntakeStream()},
       {"WAIT", std::to_string(options_.wait_replicas), std::to_string(options_.wait_ms)}});
  int64_t acked = -1;
  std::string why;
  if (!replies.ok()) {
    why = std::string(replies.status().message());
  } else if ((*replies)[1].is_error()) {
    why = (*replies)[1].str;
  } else {
    acked = (*replies)[1].integer;
  }
  if (acked >= options_.wait_replicas) return;
  if (why.empty()) {
    why = absl::StrCat(acked, " of ", options_.wait_replicas, " replica(s) acknowledged within ",
                       options_.wait_ms, " ms");
  }
  // Stored on the master, not yet safe from its failover: the client retries with the same
  // idempotency key and gets the same interaction.
  for (auto& r : results) {
    if (!r.ok()) continue;
    r = absl::UnavailableError(absl::StrCat("interaction ", r->interaction_id,
                                            " stored but not yet on a Redis replica (", why,
                                            "); retry with the same idempotency key"));
  }
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

absl::StatusOr<v1::Interaction> IntakeStore::Get(const std::string& tenant, const std::string& id,
                                                 int64_t* queue_position) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return absl::UnavailableError(conn.status().message());
  std::vector<std::vector<std::string>> cmds = {{"HGETALL", keys.Interaction(id)}};
  if (queue_position != nullptr) {
    cmds.push_back(
        scripts_->Command("intake/queue_position", {keys.Interaction(id)}, {keys.prefix(), id}));
  }
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return absl::UnavailableError(replies.status().message());
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  auto kv = redis::ReplyStrings((*replies)[0]);
  if (kv.empty()) return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", id));
  v1::Interaction ix = InteractionFromHash(tenant, kv);
  if (queue_position != nullptr) {
    if (auto st = redis::ReplyError((*replies)[1], "intake/queue_position"); !st.ok()) return st;
    const auto& reply = (*replies)[1].elements;
    *queue_position = reply.empty() ? 0 : reply[0].integer;
    if (*queue_position > 0) {
      std::vector<std::string> inputs;
      for (size_t i = 1; i < reply.size(); ++i) inputs.push_back(reply[i].str);
      // Work with a place in line has no free eligible slot (else it would be offered).
      auto e = EstimateFromInputs(ParseWaitInputs(inputs), ix.channel(), *queue_position, 0,
                                  clock_->NowMs());
      if (e.has_value()) *ix.mutable_estimated_wait() = std::move(*e);
    }
  }
  return ix;
}

}  // namespace omniroute::intake
