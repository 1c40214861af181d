// The signature checks of provider webhooks against known vectors: RFC 4231 / RFC 2202 for
// the HMACs, Twilio's documented example (and its SDK's port variants) for X-Twilio-Signature.
#include "services/intake/webhook_signatures.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace omniroute::intake {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

TEST(WebhookSignaturesTest, HmacsMatchTheRfcVectors) {
  // RFC 4231 test case 2 (HMAC-SHA256) and RFC 2202 test case 2 (HMAC-SHA1, here base64).
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha1Base64("Jefe", "what do ya want for nothing?"), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

// Twilio's example from its request-validation docs: auth token 12345, this URL and these
// parameters give RSOYDt4T1cUTdK1PDd93/VVr8B8= (the other vectors are from Twilio's C# SDK
// tests: the same URL signed with :443, and with a mixed-case host).
const Params kTwilioParams = {{"CallSid", "CA1234567890ABCDE"},
                              {"Caller", "+14158675309"},
                              {"Digits", "1234"},
                              {"From", "+14158675309"},
                              {"To", "+18005551212"}};
constexpr char kTwilioUrl[] = "https://mycompany.com/myapp.php?foo=1&bar=2";

TEST(WebhookSignaturesTest, TwilioSignatureIsTheDocumentedExample) {
  EXPECT_EQ(TwilioSignature("12345", kTwilioUrl, kTwilioParams), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  // The order of the posted parameters does not matter: they are sorted by name.
  Params shuffled = {kTwilioParams[3], kTwilioParams[0], kTwilioParams[4], kTwilioParams[2],
                     kTwilioParams[1]};
  EXPECT_EQ(TwilioSignature("12345", kTwilioUrl, shuffled), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  EXPECT_EQ(TwilioSignature("12345", "https://MyCompany.com/myapp.php?foo=1&bar=2", kTwilioParams),
            "g9IN/x4Cft2g517EjYvEvM/W7LU=");
  EXPECT_TRUE(
      VerifyTwilioSignature("RSOYDt4T1cUTdK1PDd93/VVr8B8=", kTwilioUrl, kTwilioParams, "12345")
          .ok());
}

TEST(WebhookSignaturesTest, TwilioSignatureAcceptsTheUrlWithOrWithoutItsPort) {
  // Signed with the default port added (the SDK's TestValidateAddsPortHttps) ...
  EXPECT_TRUE(
      VerifyTwilioSignature("kvajT1Ptam85bY51eRf/AJRuM3w=", kTwilioUrl, kTwilioParams, "12345")
          .ok());
  // ... and a configured URL with a port, signed without it (TestValidateRemovesPortHttps).
  EXPECT_TRUE(VerifyTwilioSignature("RSOYDt4T1cUTdK1PDd93/VVr8B8=",
                                    "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
                                    kTwilioParams, "12345")
                  .ok());
}

TEST(WebhookSignaturesTest, TwilioSignatureRefusesAnyChange) {
  const std::string good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
  Params tampered = kTwilioParams;
  tampered[2].second = "9999";
  Params extra = kTwilioParams;
  extra.push_back({"Body", "hi"});
  struct Case {
    std::string header, url, token;
    Params params;
  };
  for (const Case& c : std::vector<Case>{
           {good, kTwilioUrl, "12345", tampered},
           {good, kTwilioUrl, "12346", kTwilioParams},
           {good, std::string(kTwilioUrl) + "&x=1", "12345", kTwilioParams},
           {good, kTwilioUrl, "12345", extra},
           {"", kTwilioUrl, "12345", kTwilioParams},
           {"NOT" + good, kTwilioUrl, "12345", kTwilioParams},
       }) {
    absl::Status st = VerifyTwilioSignature(c.header, c.url, c.params, c.token);
    EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated) << c.url << " " << c.token;
    EXPECT_TRUE(absl::StartsWith(st.message(), "X-Twilio-Signature: ")) << st.message();
  }
}

TEST(WebhookSignaturesTest, OmnirouteSignatureWithinTheWindow) {
  const std::string secret = "whsec_test_secret_0123456789";
  const std::string body = R"({"a":1})";
  // Computed independently with Python's hmac module: hmac.new(secret, b'1700000000.{"a":1}',
  // sha256).hexdigest().
  const std::string v1 = "10fb0e5eb2c2204d471e7d252958fb5af663638b8d24fc8dc03090a74bcc366c";
  EXPECT_EQ(HmacSha256Hex(secret, absl::StrCat("1700000000.", body)), v1);
  const std::string header = "t=1700000000,v1=" + v1;
  EXPECT_TRUE(VerifyOmnirouteSignature(header, body, secret, 1700000000).ok());
  EXPECT_TRUE(VerifyOmnirouteSignature(header, body, secret, 1700000000 + 300).ok());
  EXPECT_TRUE(VerifyOmnirouteSignature(header, body, secret, 1700000000 - 300).ok());
  // Several v1 (a rotation: the old secret's and the new one's), spaces, other schemes.
  EXPECT_TRUE(
      VerifyOmnirouteSignature("t=1700000000, v0=xyz, v1=00ff, v1=" + v1, body, secret, 1700000000)
          .ok());
  // Upper-case hex is the same signature.
  std::string upper = v1;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE(VerifyOmnirouteSignature("t=1700000000,v1=" + upper, body, secret, 1700000000).ok());
}

TEST(WebhookSignaturesTest, OmnirouteSignatureRefusals) {
  const std::string secret = "whsec_test_secret_0123456789";
  const std::string body = R"({"a":1})";
  const std::string v1 = HmacSha256Hex(secret, absl::StrCat("1700000000.", body));
  struct Case {
    std::string header, body;
    int64_t now;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"", body, 1700000000, "missing"},
           {"v1=" + v1, body, 1700000000, "needs t="},
           {"t=abc,v1=" + v1, body, 1700000000, "needs t="},
           {"t=1700000000", body, 1700000000, "needs v1="},
           {"t=1700000000,t=1700000000,v1=" + v1, body, 1700000000, "more than one t="},
           {"t=1700000000,v1=" + v1, body, 1700000000 + 301, "more than 300 s"},
           {"t=1700000000,v1=" + v1, body, 1700000000 - 301, "more than 300 s"},
           {"t=1700000000,v1=" + v1, R"({"a":2})", 1700000000, "no v1 signature matches"},
           {"t=1700000001,v1=" + v1, body, 1700000000, "no v1 signature matches"},
       }) {
    absl::Status st = VerifyOmnirouteSignature(c.header, c.body, secret, c.now);
    EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated) << c.header;
    EXPECT_TRUE(absl::StartsWith(st.message(), "Omniroute-Signature: ")) << st.message();
    EXPECT_TRUE(absl::StrContains(st.message(), c.why)) << st.message();
  }
  EXPECT_FALSE(
      VerifyOmnirouteSignature("t=1700000000,v1=" + v1, body, "another-secret-value-x", 1700000000)
          .ok());
}

TEST(WebhookSignaturesTest, MailgunSignature) {
  // Computed independently with Python: hmac.new(key, timestamp + token, sha256).hexdigest().
  const std::string key = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
  const std::string ts = "1529006854";
  const std::string token = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";
  const std::string sig = "b63c0701c4f4b614f272106a1b367c5c3369bcdca664ae73ebd52787e45eef07";
  EXPECT_TRUE(VerifyMailgunSignature(ts, token, sig, key).ok());
  EXPECT_EQ(VerifyMailgunSignature("1529006855", token, sig, key).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyMailgunSignature(ts, token + "x", sig, key).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyMailgunSignature(ts, token, sig, key + "x").code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyMailgunSignature("", token, sig, key).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyMailgunSignature(ts, token, "", key).code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace omniroute::intake
