#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "omniroute/v1/admin.pb.h"

namespace omniroute::webhooks {

inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxDescriptionBytes = 256;
inline constexpr int kMaxEventTypes = 32;

// The parts of a webhook URL the workers need.
struct WebhookUrl {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // a name, an IPv4 address, or an IPv6 address without its brackets
  int port = 0;        // 0 = the scheme's
};

// An absolute http(s) URL a webhook may POST to: printable ASCII made of the characters RFC 3986
// allows, at most kMaxUrlBytes, a host (a DNS name, IPv4, or [IPv6]), an optional port
// 1..65535, no user or password, no fragment. INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view field, absl::string_view url);

// Webhook ids as PutWebhook assigns them: "wh_" and 24 lowercase hex digits.
absl::Status ValidateWebhookId(absl::string_view field, absl::string_view id);

// A webhook as PutWebhook takes it (fields named "webhook.<name>"): the id (when given), url,
// event types (known, no duplicates, at most kMaxEventTypes) and description (UTF-8, at most
// kMaxDescriptionBytes). Output-only fields are not checked.
absl::Status ValidateWebhook(const v1::Webhook& webhook);

// Delivery ids: "<webhook id>.<event id>".
std::string DeliveryId(absl::string_view webhook_id, absl::string_view event_id);
absl::Status ValidateDeliveryId(absl::string_view field, absl::string_view id);

}  // namespace omniroute::webhooks
