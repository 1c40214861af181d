// Provider webhook forms: the first line of the input is the Content-Type, the rest the body,
// read as intake reads a webhook's form (ParseForm: multipart/form-data or urlencoded), then
// mapped as an inbound email (FromEmail) and as Twilio's webhook (FromTwilio). Checks: at most
// the documented parts, every part named, every value a piece of the body; a mapped email's
// body within the limit, its attributes within theirs, its customer id a valid one.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "services/common/validation.h"
#include "services/intake/form_data.h"
#include "services/intake/webhook_adapters.h"

namespace {

using namespace omniroute;
using namespace omniroute::intake;

void CheckMapped(const absl::StatusOr<WebhookPayload>& p) {
  if (!p.ok()) {
    if (p.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return;
  }
  const Submission& s = p->submission;
  if (s.body.size() > kMaxBodyBytes && p->submission.channel == 3) std::abort();
  if (!s.customer_id.empty() && !ValidateExternalId("customer_id", s.customer_id).ok()) {
    std::abort();
  }
  for (const auto& [k, v] : s.attributes) {
    if (k == "from" || k == "to") {
      if (s.channel == 3 && v.size() > kMaxAttributeValueBytes) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const absl::string_view type = input.substr(0, nl);
  const absl::string_view body = nl == absl::string_view::npos ? "" : input.substr(nl + 1);
  auto fields = ParseForm(type, body);
  if (!fields.ok()) {
    auto code = fields.status().code();
    if (code != absl::StatusCode::kInvalidArgument && code != absl::StatusCode::kUnimplemented) {
      std::abort();
    }
    return 0;
  }
  if (fields->size() > FormLimits{}.max_parts) std::abort();
  // Multipart as ParseForm decides it: by the media type, not by the word anywhere in the
  // header ("application/x-www-form-urlencoded; x=multipart/form-data" is urlencoded, and its
  // values are decoded, not pieces of the body).
  const bool multipart =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(type.substr(0, type.find(';')))) ==
      "multipart/form-data";
  for (const FormField& f : *fields) {
    if (multipart && (f.name.empty() || body.find(f.value) == absl::string_view::npos)) {
      std::abort();
    }
  }
  CheckMapped(FromEmail(*fields));
  CheckMapped(FromTwilio(*fields));
  return 0;
}
