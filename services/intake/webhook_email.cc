// The inbound-email adapter (Mailgun's routes, SendGrid's Inbound Parse).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <iconv.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "omniroute/v1/common.pb.h"
#include "services/common/validation.h"
#include "services/intake/webhook_adapters.h"

namespace omniroute::intake {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// The first field named `name`, else the first named any of `others`, any letter case.
const std::string& Field(const std::vector<FormField>& form, absl::string_view name,
                         absl::string_view other = "") {
  const std::string& v = FieldValue(form, name, /*any_case=*/true);
  return v.empty() && !other.empty() ? FieldValue(form, other, /*any_case=*/true) : v;
}

// The Message-ID of raw header lines (folded lines unfolded), or "".
std::string MessageIdFromHeaders(absl::string_view headers) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(headers, '\n')) {
    absl::ConsumeSuffix(&line, "\r");
    if (!lines.empty() && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      absl::StrAppend(&lines.back(), " ", absl::StripAsciiWhitespace(line));
    } else {
      lines.emplace_back(line);
    }
  }
  for (absl::string_view line : lines) {
    if (absl::StartsWithIgnoreCase(line, "message-id:")) {
      return std::string(absl::StripAsciiWhitespace(line.substr(11)));
    }
  }
  return "";
}

// `value` converted from `charset` to UTF-8 (iconv); unchanged when it is UTF-8 or ASCII.
absl::StatusOr<std::string> ToUtf8(absl::string_view field, const std::string& value,
                                   const std::string& charset) {
  std::string cs = absl::AsciiStrToLower(charset);
  if (cs.empty() || cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii") {
    return value;
  }
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Invalid("charsets",
                   absl::StrCat("unknown charset '", charset.substr(0, 64), "' of ", field));
  }
  std::string out(value.size() * 4 + 4, '\0');
  char* in = const_cast<char*>(value.data());
  size_t in_left = value.size();
  char* o = out.data();
  size_t out_left = out.size();
  size_t r = iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  if (r == static_cast<size_t>(-1)) {
    return Invalid(field, absl::StrCat("is not valid ", charset.substr(0, 64)));
  }
  out.resize(out.size() - out_left);
  return out;
}

// SendGrid's `charsets` field ({"subject":"UTF-8","text":"iso-8859-1",...}): field -> charset.
absl::StatusOr<google::protobuf::Struct> Charsets(const std::vector<FormField>& form) {
  google::protobuf::Struct charsets;
  const std::string& json = FieldValue(form, "charsets");
  if (json.empty()) return charsets;
  if (!google::protobuf::util::JsonStringToMessage(json, &charsets).ok()) {
    return Invalid("charsets", "is not a JSON object of field names to charsets");
  }
  return charsets;
}

}  // namespace

absl::StatusOr<WebhookPayload> FromEmail(const std::vector<FormField>& form) {
  auto charsets = Charsets(form);
  if (!charsets.ok()) return charsets.status();
  // A field's text in UTF-8, by SendGrid's charsets (Mailgun posts UTF-8).
  auto text = [&](absl::string_view sendgrid_name,
                  const std::string& value) -> absl::StatusOr<std::string> {
    auto it = charsets->fields().find(std::string(sendgrid_name));
    if (it == charsets->fields().end()) return value;
    return ToUtf8(sendgrid_name, value, it->second.string_value());
  };
  auto from = text("from", Field(form, "from"));
  auto to = text("to", Field(form, "to", "recipient"));
  auto subject = text("subject", Field(form, "subject"));
  auto body = text("text", Field(form, "text", "body-plain"));
  for (const auto* v : {&from, &to, &subject, &body}) {
    if (!v->ok()) return v->status();
  }
  std::string message_id = Field(form, "Message-Id");
  if (message_id.empty()) message_id = MessageIdFromHeaders(FieldValue(form, "headers"));
  if (message_id.empty()) {
    return Invalid("Message-Id", "is required: no Message-Id field and none in the headers field");
  }
  WebhookPayload out;
  Submission& s = out.submission;
  s.channel = v1::CHANNEL_EMAIL;
  s.idempotency_key = message_id;
  s.customer_id = CustomerIdFrom(*from);
  s.subject = std::move(*subject);
  s.body = CutUtf8(*body, kMaxBodyBytes);
  if (s.body.size() < body->size()) s.attributes["body_truncated"] = "true";
  if (!from->empty()) s.attributes["from"] = CutUtf8(*from, kMaxAttributeValueBytes);
  if (!to->empty()) s.attributes["to"] = CutUtf8(*to, kMaxAttributeValueBytes);
  int attachments = 0;
  if (!absl::SimpleAtoi(Field(form, "attachments", "attachment-count"), &attachments)) {
    attachments = static_cast<int>(
        std::count_if(form.begin(), form.end(), [](const FormField& f) { return f.is_file; }));
  }
  if (attachments > 0) s.attributes["attachments"] = std::to_string(attachments);
  return out;
}

}  // namespace omniroute::intake
