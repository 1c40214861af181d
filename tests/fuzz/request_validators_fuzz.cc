// Request validators: the bytes as a SubmitInteractionRequest on the wire (its free-text fields
// are `bytes`, so anything reaches the validators) checked as intake does (ValidateSubmission),
// and the bytes themselves through every validator of services/common/validation.h. Each
// verdict is compared with an independent statement of the documented rule (protobuf's UTF-8
// validator, the character sets and lengths), so a validator that accepts too much or too
// little fails as surely as one that crashes.
#include <google/protobuf/stubs/common.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "omniroute/v1/intake.pb.h"
#include "services/common/validation.h"
#include "services/intake/submission.h"

namespace {

// The oracle for UTF-8: protobuf's own validator (RFC 3629: no overlongs, no surrogates, at
// most U+10FFFF), written apart from omniroute's.
bool WellFormedUtf8(absl::string_view s) {
  return google::protobuf::internal::IsStructurallyValidUTF8(s.data(), static_cast<int>(s.size()));
}

bool Alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// 1..max characters, each alphanumeric or one of `extra`.
bool InSet(absl::string_view s, size_t max, absl::string_view extra) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!Alnum(c) && extra.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

bool Printable(absl::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool Hex32(absl::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void Expect(bool valid, const absl::Status& verdict) {
  if (valid != verdict.ok()) std::abort();
  if (!verdict.ok() && verdict.code() != absl::StatusCode::kInvalidArgument) std::abort();
  if (!verdict.ok() && verdict.message().rfind("f", 0) != 0) std::abort();  // names the field
}

// What intake's FromProto makes of a request (services/intake/intake_service.cc, which the fuzz
// build does not compile: it is the gRPC service). Kept field for field in step with it.
omniroute::intake::Submission FromProto(const omniroute::v1::SubmitInteractionRequest& req) {
  omniroute::intake::Submission s;
  s.channel = req.channel();
  s.customer_id = req.customer_id();
  s.subject = req.subject();
  s.body = req.body();
  s.attributes.insert(req.attributes().begin(), req.attributes().end());
  s.idempotency_key = req.idempotency_key();
  s.priority = req.priority();
  s.queue = req.queue();
  s.preferred_agent_id = req.preferred_agent_id();
  return s;
}

void CheckSubmission(const omniroute::intake::Submission& s) {
  using namespace omniroute::intake;
  bool valid = s.channel >= 1 && s.channel <= kMaxChannel &&
               (s.customer_id.empty() || InSet(s.customer_id, 128, "_.:@-")) &&
               s.subject.size() <= kMaxSubjectBytes && WellFormedUtf8(s.subject) &&
               s.body.size() <= kMaxBodyBytes && WellFormedUtf8(s.body) &&
               s.attributes.size() <= omniroute::kMaxAttributes &&
               (s.idempotency_key.empty() || Printable(s.idempotency_key, 128)) &&
               s.priority >= 0 && s.priority <= 4 &&
               (s.queue.empty() || InSet(s.queue, 64, "_.-")) &&
               (s.preferred_agent_id.empty() || InSet(s.preferred_agent_id, 128, "_.:@-"));
  for (const auto& [key, value] : s.attributes) {
    valid = valid && InSet(key, 64, "_.-") && value.size() <= omniroute::kMaxAttributeValueBytes &&
            WellFormedUtf8(value);
  }
  const absl::Status verdict = ValidateSubmission(s);
  if (valid != verdict.ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace omniroute;
  const absl::string_view v(reinterpret_cast<const char*>(data), size);
  v1::SubmitInteractionRequest req;
  if (req.ParseFromArray(data, static_cast<int>(size))) CheckSubmission(FromProto(req));

  if (IsValidUtf8(v) != WellFormedUtf8(v)) std::abort();
  Expect(size <= 1000 && WellFormedUtf8(v), ValidateText("f", v, 1000));
  Expect(InSet(v, 64, "_-"), ValidateTenantId("f", v));
  Expect(InSet(v, 64, "_.-"), ValidateName("f", v));
  Expect(InSet(v, 64, "_.?-"), ValidateIntentLabel("f", v));
  Expect(InSet(v, 128, "_.:@-"), ValidateExternalId("f", v));
  Expect(Hex32(v), ValidateInteractionId("f", v));
  Expect(Printable(v, 128), ValidatePrintable("f", v, 128));
  const size_t half = size / 2;
  Expect(InSet(v.substr(0, half), 64, "_.-") && v.size() - half <= kMaxAttributeValueBytes &&
             WellFormedUtf8(v.substr(half)),
         ValidateAttribute(v.substr(0, half), v.substr(half), "f"));
  return 0;
}
