#include "services/intake/webhook_adapters.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "omniroute/v1/intake.pb.h"
#include "services/common/grpc/auth.h"
#include "services/common/grpc/published.h"
#include "services/common/validation.h"
#include "services/intake/intake_service.h"

namespace omniroute::intake {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

}  // namespace

std::string WebhookIdempotencyKey(absl::string_view source, absl::string_view message_id) {
  std::string key = absl::StrCat(source, ":", message_id);
  bool printable = std::all_of(message_id.begin(), message_id.end(),
                               [](char c) { return c >= 0x20 && c < 0x7f; });
  if (key.size() <= kMaxIdempotencyKeyBytes && printable) return key;
  return absl::StrCat(source, ":sha256:", HashApiKey(message_id).substr(0, 32));
}

void ApplySource(const v1::InboundSource& source, WebhookPayload* payload) {
  Submission& s = payload->submission;
  s.idempotency_key = WebhookIdempotencyKey(source.name(), s.idempotency_key);
  if (s.queue.empty()) s.queue = source.queue();
  if (s.priority == 0) s.priority = source.priority();
  if (source.channel() != v1::CHANNEL_UNSPECIFIED && !payload->channel_from_payload) {
    s.channel = source.channel();
  }
  for (const auto& [k, v] : source.attributes()) s.attributes.emplace(k, v);
  s.attributes.emplace("source", source.name());
}

absl::StatusOr<WebhookPayload> FromSignedJson(absl::string_view body, const std::string& tenant) {
  v1::SubmitInteractionRequest req;
  if (auto st = published::FromJson(std::string_view(body.data(), body.size()), &req); !st.ok()) {
    return Invalid("request body", st.message());
  }
  if (!req.tenant_id().empty() && req.tenant_id() != tenant) {
    return Invalid("tenant_id", "must be empty or the tenant of the webhook's URL");
  }
  if (req.idempotency_key().empty()) {
    return Invalid("idempotency_key", "is required in a webhook (the sender's message id)");
  }
  WebhookPayload out;
  out.submission = FromProto(req);
  out.channel_from_payload = req.channel() != v1::CHANNEL_UNSPECIFIED;
  return out;
}

absl::StatusOr<WebhookPayload> FromChatWidget(absl::string_view body) {
  v1::ChatWidgetEvent event;
  if (auto st = published::FromJson(std::string_view(body.data(), body.size()), &event,
                                    /*ignore_unknown_fields=*/true);
      !st.ok()) {
    return Invalid("request body", st.message());
  }
  WebhookPayload out;
  if (event.type() != "message") {
    if (event.type().empty()) return Invalid("type", "is required (\"message\")");
    out.ignored = true;
    return out;
  }
  if (event.message_id().empty()) return Invalid("message_id", "is required");
  Submission& s = out.submission;
  s.channel = v1::CHANNEL_CHAT;
  s.idempotency_key = event.message_id();
  s.customer_id = CustomerIdFrom(event.customer_id());
  s.body = event.text();
  s.attributes.insert(event.attributes().begin(), event.attributes().end());
  if (!event.conversation_id().empty()) {
    s.attributes["conversation_id"] = event.conversation_id();
  }
  return out;
}

}  // namespace omniroute::intake
