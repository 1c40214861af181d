#include "services/intake/webhooks.h"

#include <chrono>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "omniroute/v1/intake.pb.h"
#include "services/common/grpc/published.h"
#include "services/common/grpc/status.h"
#include "services/common/http/grpc_bridge.h"
#include "services/common/log/log.h"
#include "services/common/validation.h"
#include "services/intake/submit_path.h"
#include "services/intake/webhook_adapters.h"
#include "services/intake/webhook_signatures.h"

namespace omniroute::intake {
namespace {

constexpr absl::string_view kPrefix = "/webhooks/";

http::Response Error(absl::StatusCode code, absl::string_view message) {
  return http::ErrorResponse(static_cast<grpc::StatusCode>(code), std::string(message));
}

// The metric's result for an error.
std::string ErrorLabel(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return "invalid";
    case absl::StatusCode::kUnauthenticated:
      return "unauthorized";
    case absl::StatusCode::kAlreadyExists:
      return "conflict";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kUnimplemented:
      return "unsupported";
    default:
      return "error";
  }
}

absl::Status RequireJson(const http::Request& req) {
  absl::string_view type = req.Header("content-type");
  type = absl::StripAsciiWhitespace(type.substr(0, type.find(';')));
  if (!absl::EqualsIgnoreCase(type, "application/json")) {
    return absl::UnimplementedError("Content-Type: must be application/json");
  }
  return absl::OkStatus();
}

// The form's plain fields as Twilio signs them.
std::vector<std::pair<std::string, std::string>> Params(const std::vector<FormField>& form) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : form) {
    if (!f.is_file) out.emplace_back(f.name, f.value);
  }
  return out;
}

// Authenticates the webhook by its source's scheme and maps it: UNAUTHENTICATED (401),
// INVALID_ARGUMENT (400), UNIMPLEMENTED (415).
absl::StatusOr<WebhookPayload> Read(const v1::InboundSource& source, const std::string& tenant,
                                    const http::Request& req, const std::string& token,
                                    int64_t now_s) {
  const std::string& secret = source.secret();
  switch (source.kind()) {
    case v1::INBOUND_SOURCE_KIND_SIGNED_JSON:
    case v1::INBOUND_SOURCE_KIND_CHAT_WIDGET: {
      if (auto st = RequireJson(req); !st.ok()) return st;
      if (auto st =
              VerifyOmnirouteSignature(req.Header("omniroute-signature"), req.body, secret, now_s);
          !st.ok()) {
        return st;
      }
      return source.kind() == v1::INBOUND_SOURCE_KIND_SIGNED_JSON ? FromSignedJson(req.body, tenant)
                                                                  : FromChatWidget(req.body);
    }
    case v1::INBOUND_SOURCE_KIND_TWILIO: {
      auto form = ParseForm(req.Header("content-type"), req.body);
      if (!form.ok()) return form.status();
      if (auto st = VerifyTwilioSignature(req.Header("x-twilio-signature"), source.public_url(),
                                          Params(*form), secret);
          !st.ok()) {
        return st;
      }
      return FromTwilio(*form);
    }
    case v1::INBOUND_SOURCE_KIND_MAILGUN_EMAIL: {
      auto form = ParseForm(req.Header("content-type"), req.body);
      if (!form.ok()) return form.status();
      if (auto st =
              VerifyMailgunSignature(FieldValue(*form, "timestamp"), FieldValue(*form, "token"),
                                     FieldValue(*form, "signature"), secret);
          !st.ok()) {
        return st;
      }
      return FromEmail(*form);
    }
    case v1::INBOUND_SOURCE_KIND_SENDGRID_EMAIL: {
      // Checked before the body is parsed: nothing of an unauthenticated post is read.
      if (!ConstantTimeEquals(token, secret)) {
        return absl::UnauthenticatedError(
            token.empty() ? "path: needs the source's token, /webhooks/<tenant>/<source>/<token>"
                          : "path: the token is not the source's");
      }
      auto form = ParseForm(req.Header("content-type"), req.body);
      if (!form.ok()) return form.status();
      return FromEmail(*form);
    }
    default:
      return absl::InternalError("the source has no kind");
  }
}

// The answer to an accepted webhook.
http::Response Accepted(const v1::InboundSource& source, const SubmitOutcome* outcome) {
  http::Response r;
  if (source.kind() == v1::INBOUND_SOURCE_KIND_TWILIO) {
    r.content_type = "text/xml";
    r.body = source.twiml().empty() ? "<Response/>" : source.twiml();
    return r;
  }
  if (outcome == nullptr) {
    r.body = R"({"ignored":true})";
    return r;
  }
  v1::SubmitInteractionResponse resp;
  resp.set_interaction_id(outcome->interaction_id);
  resp.set_created(outcome->created);
  auto json = published::ToJson(resp);
  r.body = json.ok() ? *json : "{}";
  return r;
}

}  // namespace

std::string KindLabel(v1::InboundSourceKind kind) {
  switch (kind) {
    case v1::INBOUND_SOURCE_KIND_SIGNED_JSON:
      return "signed_json";
    case v1::INBOUND_SOURCE_KIND_TWILIO:
      return "twilio";
    case v1::INBOUND_SOURCE_KIND_MAILGUN_EMAIL:
      return "mailgun_email";
    case v1::INBOUND_SOURCE_KIND_SENDGRID_EMAIL:
      return "sendgrid_email";
    case v1::INBOUND_SOURCE_KIND_CHAT_WIDGET:
      return "chat_widget";
    default:
      return "unknown";
  }
}

absl::StatusOr<std::optional<v1::InboundSource>> InboundSourceCache::Get(const std::string& tenant,
                                                                         const std::string& name) {
  const std::string key = absl::StrCat(tenant, "/", name);
  const int64_t now = clock_->NowMs();
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && now - it->second.read_ms < ttl_ms_) return it->second.source;
  }
  auto read = store_->Get(tenant, name);
  if (!read.ok()) return read.status();
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();  // bounded; refilled on demand
  entries_[key] = Entry{*read, now};
  return read;
}

http::Response WebhookHandler::Handle(const http::Request& req) {
  std::string kind = "unknown";
  Result result = Serve(req, &kind);
  metrics_->webhooks.Add({{"kind", kind}, {"result", result.label}}).Increment();
  return std::move(result.response);
}

WebhookHandler::Result WebhookHandler::Serve(const http::Request& req, std::string* kind) {
  absl::string_view rest = req.path;
  std::vector<std::string> parts;
  if (absl::ConsumePrefix(&rest, kPrefix)) parts = absl::StrSplit(rest, '/');
  auto not_found = [&] {
    return Result{Error(absl::StatusCode::kNotFound,
                        absl::StrCat("no webhook source at ", QuoteInput(req.path, 128))),
                  "not_found"};
  };
  if (parts.size() < 2 || parts.size() > 3 || !ValidateTenantId("tenant", parts[0]).ok() ||
      !ValidateName("source", parts[1]).ok()) {
    return not_found();
  }
  if (req.method != "POST") {
    Result r{Error(absl::StatusCode::kUnimplemented, "webhooks take POST"), "unsupported"};
    r.response.status = 405;
    r.response.headers.push_back({"Allow", "POST"});
    return r;
  }
  auto source = sources_->Get(parts[0], parts[1]);
  if (!source.ok()) {
    log::WarnEvery("webhook-source", 5, "webhook source unreadable",
                   {{"error", source.status().ToString()}});
    return {Error(absl::StatusCode::kUnavailable, source.status().message()), "error"};
  }
  if (!source->has_value()) return not_found();
  const v1::InboundSource& src = **source;
  *kind = KindLabel(src.kind());
  // Only SendGrid's path carries a token.
  if (parts.size() == 3 && src.kind() != v1::INBOUND_SOURCE_KIND_SENDGRID_EMAIL) {
    return not_found();
  }
  const std::string token = parts.size() == 3 ? parts[2] : "";
  auto payload = Read(src, parts[0], req, token, clock_->NowMs() / 1000);
  if (!payload.ok()) {
    const absl::Status& st = payload.status();
    if (st.code() == absl::StatusCode::kUnauthenticated) {
      log::WarnEvery("webhook-auth", 10, "webhook refused",
                     {{"tenant", parts[0]}, {"source", parts[1]}, {"why", st.message()}});
    }
    Result r{Error(st.code(), st.message()), ErrorLabel(st.code())};
    if (st.code() == absl::StatusCode::kUnimplemented) r.response.status = 415;
    return r;
  }
  if (payload->ignored) return {Accepted(src, nullptr), "ignored"};
  ApplySource(src, &*payload);
  redis::CallDeadline deadline(std::chrono::system_clock::now() +
                               std::chrono::milliseconds(options_.submit_timeout_ms));
  auto outcome = SubmitOne(*store_, *metrics_, parts[0], payload->submission,
                           clock_->NowMs() + options_.submit_timeout_ms);
  if (!outcome.ok()) {
    return {Error(outcome.status().code(), outcome.status().message()),
            ErrorLabel(outcome.status().code())};
  }
  return {Accepted(src, &*outcome), outcome->created ? "created" : "duplicate"};
}

}  // namespace omniroute::intake
