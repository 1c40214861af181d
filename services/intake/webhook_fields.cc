// The form-post adapters' pieces that need no gRPC or JSON: Twilio's webhook, and the
// customer ids and cut texts every adapter uses (also built into the fuzz targets).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "omniroute/v1/common.pb.h"
#include "services/intake/webhook_adapters.h"

namespace omniroute::intake {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

bool IsCustomerIdChar(char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == ':' || c == '@' || c == '-';
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

}  // namespace

std::string CutUtf8(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t n = max_bytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls before a character's first byte.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return std::string(text.substr(0, n));
}

std::string CustomerIdFrom(absl::string_view address) {
  absl::string_view a = absl::StripAsciiWhitespace(address);
  size_t lt = a.rfind('<');
  if (lt != absl::string_view::npos && absl::EndsWith(a, ">")) {
    a = a.substr(lt + 1, a.size() - lt - 2);  // "Ann <ann@example.com>"
  }
  std::string out;
  if (a.size() > 1 && a[0] == '+' && AllDigits(a.substr(1))) {
    out = absl::StrCat("tel:", a.substr(1));
  } else if (size_t colon = a.find(":+");
             colon != absl::string_view::npos && AllDigits(a.substr(colon + 2))) {
    out = absl::StrCat(a.substr(0, colon), ":", a.substr(colon + 2));  // "whatsapp:+1555..."
  } else {
    out = std::string(a);
    if (absl::StrContains(out, '@') && !absl::StrContains(out, ':')) {
      absl::AsciiStrToLower(&out);  // an email address
    }
  }
  for (char& c : out) {
    if (!IsCustomerIdChar(c)) c = '_';
  }
  if (out.size() > 128) out.resize(128);
  return out;
}

absl::StatusOr<WebhookPayload> FromTwilio(const std::vector<FormField>& form) {
  WebhookPayload out;
  Submission& s = out.submission;
  const std::string& from = FieldValue(form, "From");
  std::string message_sid = FieldValue(form, "MessageSid");
  if (message_sid.empty()) message_sid = FieldValue(form, "SmsMessageSid");
  if (!message_sid.empty()) {
    std::string status = FieldValue(form, "MessageStatus");
    if (status.empty()) status = FieldValue(form, "SmsStatus");
    if (!status.empty() && status != "received") {
      out.ignored = true;  // a status callback of an outgoing message
      return out;
    }
    bool address = absl::StrContains(from, ':');  // "whatsapp:+1...", "messenger:..."
    s.channel = address ? v1::CHANNEL_MESSAGING : v1::CHANNEL_SMS;
    s.idempotency_key = message_sid;
    s.body = FieldValue(form, "Body");
    int media = 0;
    if (absl::SimpleAtoi(FieldValue(form, "NumMedia"), &media) && media > 0) {
      s.attributes["num_media"] = std::to_string(media);
    }
  } else if (const std::string& call_sid = FieldValue(form, "CallSid"); !call_sid.empty()) {
    const std::string& status = FieldValue(form, "CallStatus");
    if (!status.empty() && status != "ringing" && status != "queued" && status != "in-progress") {
      out.ignored = true;  // a call status callback (completed, busy, no-answer, ...)
      return out;
    }
    s.channel = v1::CHANNEL_VOICE;
    s.idempotency_key = call_sid;
  } else {
    return Invalid("MessageSid", "is required (or CallSid for a call)");
  }
  s.customer_id = CustomerIdFrom(from);
  if (!from.empty()) s.attributes["from"] = from;
  if (const std::string& to = FieldValue(form, "To"); !to.empty()) s.attributes["to"] = to;
  if (const std::string& c = FieldValue(form, "FromCountry"); !c.empty()) {
    s.attributes["from_country"] = c;
  }
  return out;
}

}  // namespace omniroute::intake
