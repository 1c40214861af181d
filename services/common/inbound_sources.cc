#include "services/common/inbound_sources.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/grpc/auth.h"
#include "services/common/keys.h"
#include "services/common/validation.h"

namespace omniroute {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("source.", field, ": ", why));
}

absl::Status ValidateSecret(const v1::InboundSource& s) {
  const std::string& secret = s.secret();
  if (secret.empty())
    return Invalid("secret",
                   "is required (it is never returned, so every put "
                   "gives it)");
  const bool url_token = s.kind() == v1::INBOUND_SOURCE_KIND_SENDGRID_EMAIL;
  const size_t min = url_token ? 24 : 16;
  if (secret.size() < min || secret.size() > 256) {
    return Invalid("secret", absl::StrCat("must be ", min, "..256 characters long"));
  }
  for (char c : secret) {
    bool ok = url_token ? (absl::ascii_isalnum(c) || c == '_' || c == '-') : (c > 0x20 && c < 0x7f);
    if (!ok) {
      return Invalid("secret", url_token ? "must match [A-Za-z0-9_-] (it is part of the URL)"
                                         : "must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTwilioFields(const v1::InboundSource& s) {
  if (s.kind() != v1::INBOUND_SOURCE_KIND_TWILIO) {
    if (!s.public_url().empty()) return Invalid("public_url", "only TWILIO sources have one");
    if (!s.twiml().empty()) return Invalid("twiml", "only TWILIO sources have one");
    return absl::OkStatus();
  }
  const std::string& url = s.public_url();
  if (url.empty()) {
    return Invalid("public_url", "is required: the URL Twilio posts to, as configured in Twilio");
  }
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "https://") && !absl::ConsumePrefix(&rest, "http://")) {
    return Invalid("public_url", "must start with https:// or http://");
  }
  if (rest.empty() || rest[0] == '/' || url.size() > 2048) {
    return Invalid("public_url", "must name a host and be at most 2048 characters");
  }
  if (std::any_of(url.begin(), url.end(), [](char c) { return c <= 0x20 || c >= 0x7f; })) {
    return Invalid("public_url", "must be printable ASCII without spaces");
  }
  return ValidateText("source.twiml", s.twiml(), kMaxTwimlBytes);
}

absl::StatusOr<redis::Pool::Lease> Connect(redis::Pool* pool) {
  auto conn = pool->Acquire();
  if (!conn.ok()) return absl::UnavailableError(conn.status().message());
  return conn;
}

}  // namespace

absl::Status ValidateInboundSource(const v1::InboundSource& s) {
  if (auto st = ValidateName("source.name", s.name()); !st.ok()) return st;
  if (s.kind() == v1::INBOUND_SOURCE_KIND_UNSPECIFIED) return Invalid("kind", "is required");
  if (!v1::InboundSourceKind_IsValid(s.kind())) {
    return Invalid("kind", absl::StrCat("unknown value ", s.kind()));
  }
  if (auto st = ValidateSecret(s); !st.ok()) return st;
  if (!s.queue().empty()) {
    if (auto st = ValidateName("source.queue", s.queue()); !st.ok()) return st;
  }
  if (!v1::Channel_IsValid(s.channel())) {
    return Invalid("channel", absl::StrCat("unknown value ", s.channel()));
  }
  if (auto st = ValidateTwilioFields(s); !st.ok()) return st;
  if (s.attributes_size() > kMaxInboundSourceAttributes) {
    return Invalid("attributes", absl::StrCat("more than ", kMaxInboundSourceAttributes,
                                              " entries (the adapters add their own)"));
  }
  if (auto st = ValidateAttributes(s.attributes(), "source.attributes"); !st.ok()) return st;
  if (!v1::Priority_IsValid(s.priority())) {
    return Invalid("priority", absl::StrCat("unknown value ", s.priority()));
  }
  return absl::OkStatus();
}

std::string InboundSourcePath(const std::string& tenant, const v1::InboundSource& source) {
  std::string path = absl::StrCat("/webhooks/", tenant, "/", source.name());
  if (source.kind() == v1::INBOUND_SOURCE_KIND_SENDGRID_EMAIL) absl::StrAppend(&path, "/{secret}");
  return path;
}

v1::InboundSource Redacted(const std::string& tenant, const v1::InboundSource& source) {
  v1::InboundSource out = source;
  out.clear_secret();
  out.set_secret_fingerprint(HashApiKey(source.secret()).substr(0, 12));
  out.set_path(InboundSourcePath(tenant, source));
  return out;
}

absl::StatusOr<v1::InboundSource> InboundSourceStore::Put(const std::string& tenant,
                                                          v1::InboundSource source) {
  source.clear_secret_fingerprint();
  source.clear_path();
  source.set_updated_ms(clock_->NowMs());
  auto conn = Connect(pool_);
  if (!conn.ok()) return conn.status();
  auto reply = scripts_->Eval(
      **conn, "common/put_inbound_source", {TenantKeys(tenant).InboundSources()},
      {source.name(), source.SerializeAsString(), std::to_string(kMaxInboundSources)});
  if (!reply.ok()) return reply.status();
  if (reply->str == "full") {
    return absl::ResourceExhaustedError(absl::StrCat(
        "source.name: the tenant has ", kMaxInboundSources, " sources already; delete one first"));
  }
  if (reply->str != "created" && reply->str != "replaced") {
    return absl::InternalError("put_inbound_source: unexpected reply");
  }
  return Redacted(tenant, source);
}

absl::StatusOr<std::optional<v1::InboundSource>> InboundSourceStore::Get(const std::string& tenant,
                                                                         const std::string& name) {
  auto conn = Connect(pool_);
  if (!conn.ok()) return conn.status();
  auto reply = (*conn)->Command({"HGET", TenantKeys(tenant).InboundSources(), name});
  if (!reply.ok()) return absl::UnavailableError(reply.status().message());
  if (auto st = redis::ReplyError(*reply, "inbound source"); !st.ok()) return st;
  if (reply->is_nil()) return std::optional<v1::InboundSource>();
  v1::InboundSource source;
  if (!source.ParseFromString(reply->str)) {
    return absl::InternalError(absl::StrCat("inbound source ", name, ": unreadable in Redis"));
  }
  return std::optional<v1::InboundSource>(std::move(source));
}

absl::StatusOr<std::vector<v1::InboundSource>> InboundSourceStore::List(const std::string& tenant) {
  auto conn = Connect(pool_);
  if (!conn.ok()) return conn.status();
  auto reply = (*conn)->Command({"HGETALL", TenantKeys(tenant).InboundSources()});
  if (!reply.ok()) return absl::UnavailableError(reply.status().message());
  if (auto st = redis::ReplyError(*reply, "inbound sources"); !st.ok()) return st;
  auto kv = redis::ReplyStrings(*reply);
  std::vector<v1::InboundSource> out;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) {
    v1::InboundSource source;
    if (source.ParseFromString(kv[i + 1])) out.push_back(Redacted(tenant, source));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.name() < b.name(); });
  return out;
}

absl::Status InboundSourceStore::Delete(const std::string& tenant, const std::string& name) {
  auto conn = Connect(pool_);
  if (!conn.ok()) return conn.status();
  auto reply = (*conn)->Command({"HDEL", TenantKeys(tenant).InboundSources(), name});
  if (!reply.ok()) return absl::UnavailableError(reply.status().message());
  if (auto st = redis::ReplyError(*reply, "inbound source"); !st.ok()) return st;
  if (reply->integer == 0) {
    return absl::NotFoundError(absl::StrCat("name: no inbound source named '", name, "'"));
  }
  return absl::OkStatus();
}

}  // namespace omniroute
