#include "services/common/inbound_sources.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace omniroute {
namespace {

v1::InboundSource Twilio() {
  v1::InboundSource s;
  s.set_name("sms");
  s.set_kind(v1::INBOUND_SOURCE_KIND_TWILIO);
  s.set_secret("0123456789abcdef0123456789abcdef");
  s.set_public_url("https://hooks.acme.example/webhooks/acme/sms");
  s.set_queue("support");
  s.set_twiml("<Response><Say>Please hold.</Say></Response>");
  (*s.mutable_attributes())["brand"] = "acme";
  return s;
}

TEST(InboundSourcesTest, AcceptsEachKind) {
  EXPECT_TRUE(ValidateInboundSource(Twilio()).ok()) << ValidateInboundSource(Twilio());
  for (auto kind :
       {v1::INBOUND_SOURCE_KIND_SIGNED_JSON, v1::INBOUND_SOURCE_KIND_CHAT_WIDGET,
        v1::INBOUND_SOURCE_KIND_MAILGUN_EMAIL, v1::INBOUND_SOURCE_KIND_SENDGRID_EMAIL}) {
    v1::InboundSource s;
    s.set_name("src.1");
    s.set_kind(kind);
    s.set_secret("abcdefghijklmnopqrstuvwx_-12");
    s.set_channel(v1::CHANNEL_EMAIL);
    EXPECT_TRUE(ValidateInboundSource(s).ok()) << kind << ": " << ValidateInboundSource(s);
  }
}

TEST(InboundSourcesTest, RefusesBadFieldsNamingThem) {
  struct Case {
    std::function<void(v1::InboundSource&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](auto& s) { s.set_name(""); }, "source.name: "},
      {[](auto& s) { s.set_name("a/b"); }, "source.name: "},
      {[](auto& s) { s.set_kind(v1::INBOUND_SOURCE_KIND_UNSPECIFIED); }, "source.kind: "},
      {[](auto& s) { s.set_kind(static_cast<v1::InboundSourceKind>(42)); }, "source.kind: "},
      {[](auto& s) { s.clear_secret(); }, "source.secret: "},
      {[](auto& s) { s.set_secret("short"); }, "source.secret: "},
      {[](auto& s) { s.set_secret("with a space inside it"); }, "source.secret: "},
      {[](auto& s) { s.set_secret(std::string(257, 'x')); }, "source.secret: "},
      {[](auto& s) {
         s.set_kind(v1::INBOUND_SOURCE_KIND_SENDGRID_EMAIL);
         s.clear_public_url();
         s.clear_twiml();
         s.set_secret("abcdefghijklmnopqrstuvwxyz/");
       },
       "source.secret: "},
      {[](auto& s) { s.set_queue("bad queue"); }, "source.queue: "},
      {[](auto& s) { s.set_channel(static_cast<v1::Channel>(99)); }, "source.channel: "},
      {[](auto& s) { s.clear_public_url(); }, "source.public_url: "},
      {[](auto& s) { s.set_public_url("ftp://x"); }, "source.public_url: "},
      {[](auto& s) { s.set_public_url("https:///path"); }, "source.public_url: "},
      {[](auto& s) { s.set_public_url("https://a b"); }, "source.public_url: "},
      {[](auto& s) { s.set_twiml(std::string(4097, 'x')); }, "source.twiml: "},
      {[](auto& s) {
         s.set_kind(v1::INBOUND_SOURCE_KIND_SIGNED_JSON);
         s.clear_twiml();
       },
       "source.public_url: "},
      {[](auto& s) {
         for (int i = 0; i < 17; ++i) (*s.mutable_attributes())["k" + std::to_string(i)] = "v";
       },
       "source.attributes: "},
      {[](auto& s) { (*s.mutable_attributes())["bad key"] = "v"; }, "source.attributes"},
      {[](auto& s) { s.set_priority(static_cast<v1::Priority>(9)); }, "source.priority: "},
  };
  for (const auto& c : cases) {
    v1::InboundSource s = Twilio();
    c.mutate(s);
    absl::Status st = ValidateInboundSource(s);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.field << " " << st;
    EXPECT_TRUE(absl::StartsWith(st.message(), c.field)) << st.message();
  }
}

TEST(InboundSourcesTest, RedactedHidesTheSecret) {
  v1::InboundSource r = Redacted("acme", Twilio());
  EXPECT_EQ(r.secret(), "");
  EXPECT_EQ(r.secret_fingerprint().size(), 12u);
  EXPECT_EQ(r.path(), "/webhooks/acme/sms");
  v1::InboundSource other = Twilio();
  other.set_secret("another-secret-of-enough-length");
  EXPECT_NE(Redacted("acme", other).secret_fingerprint(), r.secret_fingerprint());
  other.set_kind(v1::INBOUND_SOURCE_KIND_SENDGRID_EMAIL);
  EXPECT_EQ(Redacted("acme", other).path(), "/webhooks/acme/sms/{secret}");
}

}  // namespace
}  // namespace omniroute
