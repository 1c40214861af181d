#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "omniroute/v1/admin.pb.h"
#include "services/intake/form_data.h"
#include "services/intake/submission.h"

namespace omniroute::intake {

// What an adapter made of a provider's webhook: the interaction to submit (its
// idempotency_key the provider's message id, as the provider gave it), or nothing (ignored).
struct WebhookPayload {
  Submission submission;
  // The payload named the channel itself (SIGNED_JSON): the source's channel does not apply.
  bool channel_from_payload = false;
  // Acknowledged without an interaction (a status callback, a chat event other than a message).
  bool ignored = false;
};

// A SubmitInteractionRequest as JSON (published names); idempotency_key required, tenant_id
// empty or `tenant`. INVALID_ARGUMENT naming the field otherwise.
absl::StatusOr<WebhookPayload> FromSignedJson(absl::string_view body, const std::string& tenant);
// A ChatWidgetEvent as JSON (unknown fields ignored).
absl::StatusOr<WebhookPayload> FromChatWidget(absl::string_view body);
// Twilio's incoming message (MessageSid: SMS, or MESSAGING for "whatsapp:" and other channel
// addresses) or incoming call (CallSid: VOICE) form fields. Status callbacks (a MessageStatus /
// SmsStatus other than "received", a CallStatus other than ringing, queued or in-progress)
// are ignored.
absl::StatusOr<WebhookPayload> FromTwilio(const std::vector<FormField>& form);
// An inbound email as Mailgun's routes or SendGrid's Inbound Parse post it (either's field
// names): from, to / recipient, subject, text / body-plain (cut to kMaxBodyBytes at a
// character, attribute body_truncated), Message-Id (a field, or in SendGrid's raw headers);
// html ignored, attachments counted. SendGrid's `charsets` are applied (converted to UTF-8).
absl::StatusOr<WebhookPayload> FromEmail(const std::vector<FormField>& form);

// Applies a source to an adapter's payload: the idempotency key becomes
// WebhookIdempotencyKey(source name, message id); queue and priority when the payload has
// none; the channel (unless the payload named one); the source's attributes where the
// payload has no such key, and "source" = the source's name.
void ApplySource(const v1::InboundSource& source, WebhookPayload* payload);

// The idempotency key of a provider's message id: "<source>:<id>", or
// "<source>:sha256:<first 32 hex of its SHA-256>" when that is longer than
// kMaxIdempotencyKeyBytes or the id is not printable ASCII.
std::string WebhookIdempotencyKey(absl::string_view source, absl::string_view message_id);

// A provider's address as a customer id ([A-Za-z0-9_.:@-]{1,128}): "+15551234567" ->
// "tel:15551234567", "whatsapp:+15551234567" -> "whatsapp:15551234567", "Ann <Ann@Example.com>"
// -> "ann@example.com"; any other character outside the set becomes '_', and the result is
// cut to 128 bytes. "" for an empty address.
std::string CustomerIdFrom(absl::string_view address);

// `text` cut to at most max_bytes without splitting a UTF-8 character.
std::string CutUtf8(absl::string_view text, size_t max_bytes);

}  // namespace omniroute::intake
