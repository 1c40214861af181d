// Webhook URLs and delivery ids (services/webhooks/webhook_validation.h), input a tenant's admin
// sends: the bytes as a URL, checked against the documented rule stated apart from the parser —
// an accepted URL is short, printable, an http(s) URL without user info or fragment, and the
// parts the parser returns (a lower-case host the URL contains, a port 1..65535 or none) build a
// URL it accepts again with the same parts; a refused one is INVALID_ARGUMENT naming the field.
// The bytes also go through the delivery-id, webhook-id and whole-webhook validators.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/webhooks/webhook_validation.h"

namespace {

void Expect(bool ok) {
  if (!ok) std::abort();
}

void ExpectRefusal(const absl::Status& st, absl::string_view field) {
  Expect(!st.ok() && st.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(st.message(), absl::StrCat(field, ": ")));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace omniroute::webhooks;
  const absl::string_view v(reinterpret_cast<const char*>(data), size);
  auto url = ParseWebhookUrl("url", v);
  if (!url.ok()) {
    ExpectRefusal(url.status(), "url");
  } else {
    const std::string lower = absl::AsciiStrToLower(v);
    Expect(!v.empty() && v.size() <= kMaxUrlBytes);
    for (char c : v) Expect(c > 0x20 && c < 0x7f);
    Expect(url->scheme == "http" || url->scheme == "https");
    Expect(absl::StartsWith(lower, url->scheme + "://"));
    Expect(!absl::StrContains(v, '#'));
    absl::string_view rest = v.substr(url->scheme.size() + 3);
    Expect(!absl::StrContains(rest.substr(0, rest.find_first_of("/?")), '@'));
    Expect(!url->host.empty() && absl::StrContains(lower, url->host));
    Expect(url->host == absl::AsciiStrToLower(url->host));
    Expect(url->port == 0 || (url->port >= 1 && url->port <= 65535));
    const bool v6 = absl::StrContains(url->host, ':');
    std::string again = absl::StrCat(url->scheme, "://", v6 ? "[" : "", url->host, v6 ? "]" : "",
                                     url->port > 0 ? absl::StrCat(":", url->port) : "", "/");
    auto reparsed = ParseWebhookUrl("url", again);
    Expect(reparsed.ok() && reparsed->host == url->host && reparsed->port == url->port &&
           reparsed->scheme == url->scheme);
  }
  omniroute::v1::Webhook w;
  w.set_url(std::string(v));
  const absl::Status whole = ValidateWebhook(w);
  Expect(whole.ok() == url.ok());
  if (!whole.ok()) ExpectRefusal(whole, "webhook.url");

  const absl::Status id = ValidateWebhookId("id", v);
  if (!id.ok()) ExpectRefusal(id, "id");
  if (id.ok()) {
    Expect(size == 27 && absl::StartsWith(v, "wh_"));
    for (char c : v.substr(3)) Expect((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
  const absl::Status delivery = ValidateDeliveryId("d", v);
  if (!delivery.ok()) ExpectRefusal(delivery, "d");
  if (delivery.ok()) {
    Expect(v.size() > 28 && v[27] == '.' && ValidateWebhookId("id", v.substr(0, 27)).ok());
    absl::string_view event = v.substr(28);
    Expect(std::count(event.begin(), event.end(), '-') == 1 && event.front() != '-' &&
           event.back() != '-');
  }
  return 0;
}
