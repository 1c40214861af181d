#include "services/intake/submission.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "services/common/validation.h"

namespace omniroute::intake {
namespace {

Submission Full() {
  Submission s;
  s.channel = 2;
  s.customer_id = "cust-42@shop";
  s.subject = "Refund";
  s.body = "caf\xc3\xa9 order was charged twice";
  s.attributes = {{"order", "42"}, {"lang", "de"}};
  s.idempotency_key = "req-1";
  s.priority = 2;
  s.queue = "billing";
  return s;
}

TEST(SubmissionTest, AcceptsSubmissionsUpToTheLimitsAndStoresEveryField) {
  Submission minimal;
  minimal.channel = 1;
  EXPECT_TRUE(ValidateSubmission(minimal).ok());
  EXPECT_TRUE(ValidateSubmission(Full()).ok());
  Submission spaced = Full();
  spaced.idempotency_key = "order 42 / attempt 1";  // printable ASCII, as intake.proto says
  EXPECT_TRUE(ValidateSubmission(spaced).ok());
  Submission at_limits = Full();
  at_limits.channel = kMaxChannel;
  at_limits.subject = std::string(kMaxSubjectBytes, 's');
  at_limits.body = std::string(kMaxBodyBytes, 'b');
  at_limits.idempotency_key = std::string(kMaxIdempotencyKeyBytes, 'k');
  at_limits.priority = 4;
  at_limits.attributes.clear();
  for (size_t i = 0; i < kMaxAttributes; ++i) {
    at_limits.attributes["k" + std::to_string(i)] = std::string(kMaxAttributeValueBytes, 'v');
  }
  EXPECT_TRUE(ValidateSubmission(at_limits).ok());

  // What gets stored: every field, attributes under an "a:" prefix.
  std::vector<std::string> f = HashFields(Full());
  std::map<std::string, std::string> m;
  ASSERT_EQ(f.size() % 2, 0u);
  for (size_t i = 0; i + 1 < f.size(); i += 2) m[f[i]] = f[i + 1];
  EXPECT_EQ(m, (std::map<std::string, std::string>{{"channel", "2"},
                                                   {"customer", "cust-42@shop"},
                                                   {"pref", ""},
                                                   {"subject", "Refund"},
                                                   {"body", Full().body},
                                                   {"req_priority", "2"},
                                                   {"req_queue", "billing"},
                                                   {"a:order", "42"},
                                                   {"a:lang", "de"}}));
}

TEST(SubmissionTest, EachInvalidFieldNamesItself) {
  struct Case {
    std::function<void(Submission&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](Submission& s) { s.channel = 0; }, "channel: is required"},
      {[](Submission& s) { s.channel = 8; }, "channel: unknown value 8"},
      {[](Submission& s) { s.channel = -1; }, "channel"},
      {[](Submission& s) { s.customer_id = "cust 42"; }, "customer_id"},
      {[](Submission& s) { s.customer_id = std::string(129, 'c'); }, "customer_id"},
      {[](Submission& s) { s.subject = std::string(kMaxSubjectBytes + 1, 's'); }, "subject"},
      {[](Submission& s) { s.subject = "bad \xc0\xaf utf8"; }, "subject"},
      {[](Submission& s) { s.body = std::string(kMaxBodyBytes + 1, 'b'); }, "body"},
      {[](Submission& s) { s.body = "\xed\xa0\x80"; }, "body"},
      {[](Submission& s) { s.attributes["bad key"] = "v"; }, "attributes key"},
      {[](Submission& s) { s.attributes["note"] = "\xff"; }, "attributes[note]"},
      {[](Submission& s) { s.attributes["note"] = std::string(kMaxAttributeValueBytes + 1, 'v'); },
       "attributes[note]"},
      {[](Submission& s) {
         for (size_t i = 0; i <= kMaxAttributes; ++i) s.attributes["k" + std::to_string(i)] = "v";
       },
       "attributes: more than"},
      {[](Submission& s) { s.idempotency_key = "has\ttab"; }, "idempotency_key"},
      {[](Submission& s) { s.idempotency_key = "has\x7f"; }, "idempotency_key"},
      {[](Submission& s) { s.idempotency_key = std::string(kMaxIdempotencyKeyBytes + 1, 'k'); },
       "idempotency_key"},
      {[](Submission& s) { s.priority = 5; }, "priority: unknown value 5"},
      {[](Submission& s) { s.priority = -1; }, "priority"},
      {[](Submission& s) { s.queue = "billing/eu"; }, "queue"},
      {[](Submission& s) { s.queue = std::string(65, 'q'); }, "queue"},
  };
  for (const auto& c : cases) {
    Submission s = Full();
    c.mutate(s);
    auto st = ValidateSubmission(s);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(absl::StartsWith(st.message(), c.field)) << "want " << c.field << ", got " << st;
  }
}

TEST(SubmissionTest, FingerprintChangesWithEveryFieldButTheIdempotencyKey) {
  const std::string base = Fingerprint(Full());
  EXPECT_EQ(base.size(), 32u);
  EXPECT_EQ(base.find_first_not_of("0123456789abcdef"), std::string::npos) << base;
  EXPECT_EQ(Fingerprint(Full()), base);  // deterministic

  Submission other_key = Full();
  other_key.idempotency_key = "a-different-key";
  EXPECT_EQ(Fingerprint(other_key), base);

  std::vector<std::function<void(Submission&)>> changes = {
      [](Submission& s) { s.channel = 3; },
      [](Submission& s) { s.customer_id = "cust-43@shop"; },
      [](Submission& s) { s.customer_id.clear(); },
      [](Submission& s) { s.subject = "refund"; },
      [](Submission& s) { s.body += " "; },
      [](Submission& s) { s.attributes["order"] = "43"; },
      [](Submission& s) { s.attributes["extra"] = ""; },
      [](Submission& s) { s.attributes.erase("lang"); },
      [](Submission& s) { s.priority = 0; },
      [](Submission& s) { s.queue = "vip"; },
      // Moving bytes across a field boundary is a different request.
      [](Submission& s) {
        s.subject = "Refun";
        s.body = "d" + s.body;
      },
      [](Submission& s) {
        s.attributes.erase("order");
        s.attributes["orde"] = "r42";
      },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    Submission s = Full();
    changes[i](s);
    EXPECT_NE(Fingerprint(s), base) << "change #" << i;
  }
}

}  // namespace
}  // namespace omniroute::intake
