#include "services/webhooks/webhook_validation.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/grpc/status.h"
#include "services/common/validation.h"
#include "services/webhooks/event_types.h"

namespace omniroute::webhooks {
namespace {

absl::Status Bad(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// RFC 3986's unreserved and reserved characters, and '%' of percent-encoding.
bool UrlChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != absl::string_view::npos;
}

bool HostNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

bool Ipv6Char(char c) {
  return absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

bool Digits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "<ms>-<seq>" as Redis prints stream ids.
bool StreamIdShape(absl::string_view s) {
  auto dash = s.find('-');
  return dash != absl::string_view::npos && s.size() <= 41 && Digits(s.substr(0, dash)) &&
         Digits(s.substr(dash + 1));
}

}  // namespace

absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view field, absl::string_view url) {
  if (url.empty()) return Bad(field, "is required");
  if (url.size() > kMaxUrlBytes) {
    return Bad(field, absl::StrCat("is longer than ", kMaxUrlBytes, " bytes"));
  }
  for (char c : url) {
    if (!UrlChar(c)) {
      return Bad(field,
                 "may hold only the printable ASCII characters a URL allows (no spaces; "
                 "percent-encode the others, an international domain name in its xn-- "
                 "form)");
    }
  }
  WebhookUrl out;
  auto colon = url.find("://");
  out.scheme = absl::AsciiStrToLower(url.substr(0, colon == absl::string_view::npos ? 0 : colon));
  if (out.scheme != "http" && out.scheme != "https") {
    return Bad(field, absl::StrCat("must start with http:// or https:// (not ",
                                   QuoteInput(url.substr(0, 16)), ")"));
  }
  if (absl::StrContains(url, '#')) return Bad(field, "must not have a #fragment");
  absl::string_view rest = url.substr(colon + 3);
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (absl::StrContains(authority, '@')) {
    return Bad(field, "must not carry a user or password (user:password@host)");
  }
  absl::string_view host = authority, port;
  if (absl::StartsWith(authority, "[")) {
    auto close = authority.find(']');
    if (close == absl::string_view::npos) return Bad(field, "has an unclosed [IPv6] host");
    host = authority.substr(1, close - 1);
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) {
      return Bad(field, "has characters after its [IPv6] host");
    }
    port = after;
    if (host.empty() || !absl::StrContains(host, ':')) return Bad(field, "has a bad IPv6 host");
    for (char c : host) {
      if (!Ipv6Char(c)) return Bad(field, "has a bad IPv6 host");
    }
  } else {
    auto at = authority.find(':');
    if (at != absl::string_view::npos) {
      host = authority.substr(0, at);
      port = authority.substr(at + 1);
    }
    for (char c : host) {
      if (!HostNameChar(c)) {
        return Bad(field, "has a bad host: letters, digits, '-' and '.' only (or [IPv6])");
      }
    }
    if (host.size() > 253) return Bad(field, "has a host longer than 253 characters");
  }
  if (host.empty() || host == ".") return Bad(field, "has no host");
  out.host = absl::AsciiStrToLower(host);
  if (authority.size() > host.size() && authority.back() == ':') {
    return Bad(field, "has an empty port");
  }
  if (!port.empty() &&
      (!Digits(port) || !absl::SimpleAtoi(port, &out.port) || out.port < 1 || out.port > 65535)) {
    return Bad(field, "has a bad port (1..65535)");
  }
  return out;
}

absl::Status ValidateWebhookId(absl::string_view field, absl::string_view id) {
  bool ok = id.size() == 27 && absl::StartsWith(id, "wh_");
  for (size_t i = 3; ok && i < id.size(); ++i) {
    ok = absl::ascii_isdigit(static_cast<unsigned char>(id[i])) || (id[i] >= 'a' && id[i] <= 'f');
  }
  if (ok) return absl::OkStatus();
  if (id.empty()) return Bad(field, "is required");
  return Bad(field,
             absl::StrCat("not a webhook id (wh_ and 24 hex digits): '", QuoteInput(id), "'"));
}

absl::Status ValidateWebhook(const v1::Webhook& webhook) {
  if (!webhook.id().empty()) {
    if (auto st = ValidateWebhookId("webhook.id", webhook.id()); !st.ok()) return st;
  }
  if (auto url = ParseWebhookUrl("webhook.url", webhook.url()); !url.ok()) return url.status();
  if (webhook.event_types_size() > kMaxEventTypes) {
    return Bad("webhook.event_types", absl::StrCat("more than ", kMaxEventTypes, " types"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < webhook.event_types_size(); ++i) {
    const std::string& type = webhook.event_types(i);
    std::string field = absl::StrCat("webhook.event_types[", i, "]");
    if (!IsKnownEventType(type)) {
      return Bad(field, absl::StrCat("unknown event type '", QuoteInput(type), "'",
                                     " (see Event.type for the list)"));
    }
    if (!seen.insert(type).second) return Bad(field, absl::StrCat("'", type, "' given twice"));
  }
  return ValidateText("webhook.description", webhook.description(), kMaxDescriptionBytes);
}

std::string DeliveryId(absl::string_view webhook_id, absl::string_view event_id) {
  return absl::StrCat(webhook_id, ".", event_id);
}

absl::Status ValidateDeliveryId(absl::string_view field, absl::string_view id) {
  auto dot = id.find('.');
  if (dot != absl::string_view::npos && ValidateWebhookId(field, id.substr(0, dot)).ok() &&
      StreamIdShape(id.substr(dot + 1))) {
    return absl::OkStatus();
  }
  return Bad(field,
             absl::StrCat("not a delivery id (<webhook id>.<event id>): '", QuoteInput(id), "'"));
}

}  // namespace omniroute::webhooks
