#include "services/common/validation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace omniroute {
namespace {

// Expects an InvalidArgument whose message starts with "<field>: ".
void ExpectInvalid(const absl::Status& st, const std::string& field, const std::string& input) {
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << "input '" << input << "': " << st;
  EXPECT_TRUE(absl::StartsWith(st.message(), field + ": ")) << st;
}

TEST(ValidationTest, IdentifiersHaveTheirOwnCharsetsAndLengths) {
  EXPECT_TRUE(ValidateTenantId("tenant_id", "acme-Corp_01").ok());
  EXPECT_TRUE(ValidateTenantId("tenant_id", std::string(64, 'a')).ok());
  // Braces or colons would let a tenant escape its Redis hash tag "{t:<tenant>}".
  for (const std::string& bad : std::vector<std::string>{"", std::string(65, 'a'), "ac}me", "a{b",
                                                         "a:b", "a b", "a.b", "caf\xc3\xa9"}) {
    ExpectInvalid(ValidateTenantId("tenant_id", bad), "tenant_id", bad);
  }
  EXPECT_TRUE(ValidateName("queue", "sales.tier-1_EU").ok());
  EXPECT_TRUE(ValidateName("queue", std::string(64, 'q')).ok());
  for (const std::string& bad :
       std::vector<std::string>{"", std::string(65, 'q'), "a:b", "a@b", "a/b", "a b"}) {
    ExpectInvalid(ValidateName("queue", bad), "queue", bad);
  }
  EXPECT_TRUE(ValidateExternalId("agent_id", "alice@example.com:desk-1_a").ok());
  EXPECT_TRUE(ValidateExternalId("agent_id", std::string(128, 'x')).ok());
  for (const std::string& bad :
       std::vector<std::string>{"", std::string(129, 'x'), "a/b", "a b", "a{b}", "a,b"}) {
    ExpectInvalid(ValidateExternalId("agent_id", bad), "agent_id", bad);
  }
  // Interaction ids: exactly 32 lowercase hex characters.
  EXPECT_TRUE(ValidateInteractionId("interaction_id", "0123456789abcdef0123456789abcdef").ok());
  for (const std::string& bad : std::vector<std::string>{
           "", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
           "0123456789ABCDEF0123456789abcdef", "0123456789abcdeg0123456789abcdef",
           "0123456789abcdef-123456789abcdef"}) {
    ExpectInvalid(ValidateInteractionId("interaction_id", bad), "interaction_id", bad);
  }
}

TEST(ValidationTest, Utf8AcceptsEveryWellFormedLengthAndBoundary) {
  for (const std::string& good :
       std::vector<std::string>{"", "plain ascii", "\xc2\x80",  // U+0080, smallest 2-byte
                                "caf\xc3\xa9",                  // é
                                "\xe0\xa0\x80",                 // U+0800, smallest 3-byte
                                "\xe2\x82\xac",                 // €
                                "\xed\x9f\xbf",                 // U+D7FF, just below the surrogates
                                "\xee\x80\x80",                 // U+E000, just above the surrogates
                                "\xf0\x90\x80\x80",             // U+10000, smallest 4-byte
                                "\xf0\x9f\x98\x80",             // emoji
                                "\xf4\x8f\xbf\xbf",             // U+10FFFF, the largest code point
                                std::string("nul\0inside", 10)}) {
    EXPECT_TRUE(IsValidUtf8(good)) << good;
  }
}

TEST(ValidationTest, Utf8RejectsOverlongSurrogateOutOfRangeAndTruncatedSequences) {
  for (const std::string& bad : std::vector<std::string>{
           // Overlong encodings (a '/' or NUL in disguise).
           "\xc0\xaf", "\xc1\xbf", "\xc0\x80", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xf0\x80\x80\xaf",
           "\xf0\x8f\xbf\xbf",
           // UTF-16 surrogates.
           "\xed\xa0\x80", "\xed\xbf\xbf",
           // Past U+10FFFF, and lead bytes that can never start a sequence.
           "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
           // Truncated sequences, at the end and followed by ASCII.
           "\xc3", "\xe2\x82", "\xf0\x9f\x98", "abc\xe2\x82",
           "\xe2\x82"
           "a",
           "\xf0\x9f"
           "xyz",
           // Continuation bytes without a lead byte.
           "\x80",
           "a\xbf"
           "c"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << absl::CEscape(bad);
  }
}

TEST(ValidationTest, TextAndPrintableLimitsCountBytes) {
  std::string three_e_acute = "\xc3\xa9\xc3\xa9\xc3\xa9";  // 3 characters, 6 bytes
  EXPECT_TRUE(ValidateText("subject", three_e_acute, 6).ok());
  ExpectInvalid(ValidateText("subject", three_e_acute, 5), "subject", three_e_acute);
  ExpectInvalid(ValidateText("subject", "\xed\xa0\x80", 100), "subject", "surrogate");
  EXPECT_TRUE(ValidateText("subject", "", 10).ok());

  EXPECT_TRUE(ValidatePrintable("idempotency_key", "order-42:retry/~!", 128).ok());
  EXPECT_TRUE(ValidatePrintable("idempotency_key", std::string(128, 'k'), 128).ok());
  EXPECT_TRUE(ValidatePrintable("idempotency_key", "has space", 128).ok());  // 0x20 is printable
  for (const std::string& bad : std::vector<std::string>{"", std::string(129, 'k'), "tab\t",
                                                         "del\x7f", "caf\xc3\xa9", "nl\n"}) {
    ExpectInvalid(ValidatePrintable("idempotency_key", bad, 128), "idempotency_key", bad);
  }
}

}  // namespace
}  // namespace omniroute
