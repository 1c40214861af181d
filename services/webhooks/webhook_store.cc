#include "services/webhooks/webhook_store.h"

#include <openssl/rand.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/keys.h"
#include "services/common/redis/text_reply.h"

namespace omniroute::webhooks {

using redis::ToInt;
using redis::Unavailable;

namespace {

absl::Status NoWebhook(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("id: no webhook '", id, "' in this tenant"));
}

}  // namespace

std::string NewSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return "";  // callers refuse an empty secret
  return absl::StrCat("whsec_", absl::BytesToHexString(absl::string_view(
                                    reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

absl::StatusOr<WebhookStore::Written> WebhookStore::Put(const std::string& tenant,
                                                        const v1::Webhook& webhook) {
  TenantKeys keys(tenant);
  bool create = webhook.id().empty();
  v1::Webhook stored;
  stored.set_id(create ? absl::StrCat("wh_", ids_->NewId().substr(0, 24)) : webhook.id());
  stored.set_url(webhook.url());
  *stored.mutable_event_types() = webhook.event_types();
  stored.set_disabled(webhook.disabled());
  stored.set_description(webhook.description());
  std::string secret = create ? secrets_() : "";
  if (create && secret.empty()) return absl::InternalError("no random bytes for a secret");
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  if (create) {  // before the webhook exists, so no worker can miss it
    auto added = (*conn)->Command({"SADD", kWebhookTenantsKey, tenant});
    if (!added.ok()) return Unavailable(added.status());
    if (auto st = redis::ReplyError(*added, "SADD"); !st.ok()) return st;
  }
  auto r = scripts_->Eval(
      **conn, "webhooks/put_webhook", {keys.WebhookRoutes(), keys.Webhook(stored.id())},
      {keys.prefix(), stored.id(), create ? "1" : "0", stored.disabled() ? "0" : "1",
       absl::StrJoin(stored.event_types(), ","), stored.url(), stored.SerializeAsString(),
       std::to_string(clock_->NowMs()), secret, std::to_string(kMaxWebhooks), kWebhookGroup});
  if (!r.ok()) return r.status();
  auto reply = redis::ReplyStrings(*r);
  std::string outcome = reply.empty() ? "" : reply[0];
  if (outcome == "not_found") return NoWebhook(stored.id());
  if (outcome == "limit") {
    return absl::FailedPreconditionError(
        absl::StrCat("webhook: the tenant has ", kMaxWebhooks,
                     " webhooks already; delete one first (DeleteWebhook)"));
  }
  if (outcome != "ok") return absl::InternalError("put_webhook: unexpected reply");
  auto read = Get(tenant, stored.id());
  if (!read.ok()) return read.status();
  return Written{std::move(*read), std::move(secret)};
}

absl::StatusOr<v1::Webhook> WebhookStore::Get(const std::string& tenant, const std::string& id) {
  auto read = Read(tenant, {id});
  if (!read.ok()) return read.status();
  if (read->empty()) return NoWebhook(id);
  return std::move(read->front());
}

absl::StatusOr<std::vector<v1::Webhook>> WebhookStore::List(const std::string& tenant) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto ids = (*conn)->Command({"HKEYS", TenantKeys(tenant).WebhookRoutes()});
  if (!ids.ok()) return Unavailable(ids.status());
  if (auto st = redis::ReplyError(*ids, "HKEYS"); !st.ok()) return st;
  std::vector<std::string> sorted = redis::ReplyStrings(*ids);
  std::sort(sorted.begin(), sorted.end());
  return Read(tenant, sorted);
}

absl::StatusOr<std::vector<v1::Webhook>> WebhookStore::Read(const std::string& tenant,
                                                            const std::vector<std::string>& ids) {
  std::vector<v1::Webhook> out;
  if (ids.empty()) return out;
  TenantKeys keys(tenant);
  std::vector<std::vector<std::string>> cmds;
  for (const auto& id : ids) {
    cmds.push_back({"HMGET", keys.Webhook(id), "proto", "created_ms", "updated_ms", "prev_until"});
    cmds.push_back({"HGET", keys.WebhookPending(), id});
    cmds.push_back({"HGET", keys.WebhookDropped(), id});
  }
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  int64_t now = clock_->NowMs();
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t k = 0; k < 3; ++k) {
      if (auto st = redis::ReplyError((*replies)[3 * i + k], "webhook read"); !st.ok()) return st;
    }
    auto fields = redis::ReplyStrings((*replies)[3 * i]);
    if (fields.size() != 4 || (*replies)[3 * i].elements[0].is_nil()) continue;  // deleted
    v1::Webhook w;
    if (!w.ParseFromString(fields[0]))
      return absl::DataLossError("a stored webhook does not parse");
    w.set_created_ms(ToInt(fields[1]));
    w.set_updated_ms(ToInt(fields[2]));
    int64_t previous_until = ToInt(fields[3]);
    w.set_previous_secret_expires_ms(previous_until > now ? previous_until : 0);
    w.set_pending_deliveries(std::max<int64_t>(0, ToInt((*replies)[3 * i + 1].str)));
    w.set_dropped_deliveries(ToInt((*replies)[3 * i + 2].str));
    out.push_back(std::move(w));
  }
  return out;
}

absl::Status WebhookStore::Delete(const std::string& tenant, const std::string& id) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = scripts_->Eval(**conn, "webhooks/delete_webhook",
                          {keys.WebhookRoutes(), keys.Webhook(id)}, {keys.prefix(), id});
  if (!r.ok()) return r.status();
  return r->str == "not_found" ? NoWebhook(id) : absl::OkStatus();
}

absl::StatusOr<WebhookStore::Written> WebhookStore::RotateSecret(const std::string& tenant,
                                                                 const std::string& id,
                                                                 int previous_seconds) {
  std::string secret = secrets_();
  if (secret.empty()) return absl::InternalError("no random bytes for a secret");
  int64_t now = clock_->NowMs();
  int64_t until = previous_seconds > 0 ? now + previous_seconds * 1000LL : 0;
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = scripts_->Eval(**conn, "webhooks/rotate_secret", {TenantKeys(tenant).Webhook(id)},
                          {secret, std::to_string(until), std::to_string(now)});
  if (!r.ok()) return r.status();
  if (r->str == "not_found") return NoWebhook(id);
  auto read = Get(tenant, id);
  if (!read.ok()) return read.status();
  return Written{std::move(*read), std::move(secret)};
}

absl::StatusOr<WebhookStore::DeadLetterPage> WebhookStore::ListDeadLetters(
    const std::string& tenant, int page_size, int64_t before) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  std::string max = before > 0 ? absl::StrCat("(", before) : "+inf";
  auto listed = (*conn)->Pipeline({{"ZREVRANGEBYSCORE", keys.WebhookDead(), max, "-inf",
                                    "WITHSCORES", "LIMIT", "0", std::to_string(page_size + 1)},
                                   {"ZCARD", keys.WebhookDead()}});
  if (!listed.ok()) return Unavailable(listed.status());
  for (const auto& r : *listed) {
    if (auto st = redis::ReplyError(r, "dead letters"); !st.ok()) return st;
  }
  DeadLetterPage page;
  page.total = (*listed)[1].integer;
  auto pairs = redis::ReplyStrings((*listed)[0]);  // id, seq, id, seq ...
  size_t n = std::min(pairs.size() / 2, static_cast<size_t>(page_size));
  if (n == 0) return page;
  if (pairs.size() / 2 > n) page.next_before = ToInt(pairs[2 * n - 1]);
  std::vector<std::vector<std::string>> reads;
  for (size_t i = 0; i < n; ++i) {
    reads.push_back({"HGET", keys.WebhookDeadLetter(pairs[2 * i]), "proto"});
  }
  auto protos = (*conn)->Pipeline(reads);
  if (!protos.ok()) return Unavailable(protos.status());
  for (const auto& p : *protos) {
    if (auto st = redis::ReplyError(p, "dead letter"); !st.ok()) return st;
    v1::WebhookDeadLetter d;
    if (p.is_nil()) continue;  // deleted between the two reads
    if (!d.ParseFromString(p.str)) return absl::DataLossError("a dead letter does not parse");
    page.dead_letters.push_back(std::move(d));
  }
  return page;
}

absl::StatusOr<v1::RedeliverWebhookDeadLettersResponse> WebhookStore::Redeliver(
    const std::string& tenant, const std::vector<std::string>& delivery_ids) {
  TenantKeys keys(tenant);
  std::vector<std::string> args = {keys.prefix(), std::to_string(clock_->NowMs())};
  args.insert(args.end(), delivery_ids.begin(), delivery_ids.end());
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = scripts_->Eval(**conn, "webhooks/redeliver_dead", {keys.WebhookDead()}, args);
  if (!r.ok()) return r.status();
  auto outcomes = redis::ReplyStrings(*r);
  if (outcomes.size() != delivery_ids.size()) {
    return absl::InternalError("redeliver_dead: unexpected reply");
  }
  v1::RedeliverWebhookDeadLettersResponse out;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    auto* list = outcomes[i] == "ok"        ? out.mutable_redelivered()
                 : outcomes[i] == "deleted" ? out.mutable_webhook_deleted()
                                            : out.mutable_not_found();
    *list->Add() = delivery_ids[i];
  }
  return out;
}

absl::StatusOr<int> WebhookStore::DeleteDeadLetters(const std::string& tenant,
                                                    const std::vector<std::string>& delivery_ids) {
  TenantKeys keys(tenant);
  std::vector<std::string> args = {keys.prefix()};
  args.insert(args.end(), delivery_ids.begin(), delivery_ids.end());
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = scripts_->Eval(**conn, "webhooks/delete_dead", {keys.WebhookDead()}, args);
  if (!r.ok()) return r.status();
  return static_cast<int>(r->integer);
}

}  // namespace omniroute::webhooks
