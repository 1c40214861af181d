// Provider webhooks in, through the real services and curl: for each adapter (signed JSON,
// Twilio, Mailgun and SendGrid email, chat widget) a recorded-format payload with a valid
// signature is accepted and routed, one with an invalid signature is 401 and stores nothing,
// and the same payload twice is one interaction. Plus the errors and the source's admin.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "services/intake/form_data.h"
#include "services/intake/webhook_signatures.h"
#include "tests/e2e/webhooks_in_fixture.h"

namespace omniroute::webhooks_test {
namespace {

using intake::HmacSha256Hex;

struct Attempt {
  std::string path;
  std::vector<std::string> headers;
  std::string body;
};

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The Omniroute-Signature header of `body` with `secret` at time `t`.
std::string SignatureHeader(const std::string& secret, const std::string& body, int64_t t) {
  return absl::StrCat("Omniroute-Signature: t=", t,
                      ",v1=", HmacSha256Hex(secret, absl::StrCat(t, ".", body)));
}

class WebhookAdapterE2E : public WebhooksInE2E {
 protected:
  // Posts each of `refused` (401, nothing stored), then `good` twice: the first creates the
  // interaction stored under `key`, the second answers the same. Returns the routed interaction.
  v1::Interaction ExpectOneInteraction(const std::string& kind, const std::vector<Attempt>& refused,
                                       const Attempt& good, const std::string& key,
                                       const std::string& want_body = "") {
    const int before = InteractionCount();
    const int64_t unauthorized = WebhookCount(kind, "unauthorized");
    for (const Attempt& a : refused) {
      auto r = Post(a.path, a.headers, a.body);
      EXPECT_EQ(r.status, 401) << r.body;
      EXPECT_TRUE(absl::StrContains(r.body, "\"code\":\"unauthenticated\"")) << r.body;
    }
    EXPECT_EQ(InteractionCount(), before) << "a refused webhook stored something";
    EXPECT_EQ(ByIdempotencyKey(key), "");
    EXPECT_EQ(WebhookCount(kind, "unauthorized"), unauthorized + int64_t(refused.size()));

    auto first = Post(good.path, good.headers, good.body);
    EXPECT_EQ(first.status, 200) << first.body;
    const std::string id = ByIdempotencyKey(key);
    EXPECT_FALSE(id.empty()) << "nothing stored under " << key;
    auto second = Post(good.path, good.headers, good.body);  // the provider's retry
    EXPECT_EQ(second.status, 200) << second.body;
    if (want_body.empty()) {  // JSON: the same interaction, created once
      auto a = Parse<v1::SubmitInteractionResponse>(first.body);
      auto b = Parse<v1::SubmitInteractionResponse>(second.body);
      EXPECT_EQ(a.interaction_id(), id);
      EXPECT_TRUE(a.created());
      EXPECT_EQ(b.interaction_id(), id);
      EXPECT_FALSE(b.created());
    } else {
      EXPECT_EQ(first.body, want_body);
      EXPECT_EQ(second.body, want_body);
    }
    EXPECT_EQ(ByIdempotencyKey(key), id);
    EXPECT_EQ(InteractionCount(), before + 1);
    EXPECT_GE(WebhookCount(kind, "duplicate"), 1);
    v1::Interaction ix = WaitQueued(id);
    EXPECT_EQ(ix.requested_queue(), "support");
    return ix;
  }
};

TEST_F(WebhookAdapterE2E, TwilioIncomingSmsAndCall) {
  const std::string token = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
  const std::string url = "https://hooks.acme.example/webhooks/acme/twilio-sms";
  PutSource(R"({"name": "twilio-sms", "kind": "INBOUND_SOURCE_KIND_TWILIO", "secret": ")" + token +
            R"(", "publicUrl": ")" + url + R"(", "queue": "support"})");
  const std::string body = Fixture("twilio_sms.form");
  auto form = intake::ParseForm("application/x-www-form-urlencoded", body);
  ASSERT_TRUE(form.ok()) << form.status();
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& f : *form) params.emplace_back(f.name, f.value);
  auto signed_by = [&](const std::string& t, const std::string& u) {
    return Attempt{"/webhooks/acme/twilio-sms",
                   {"X-Twilio-Signature: " + intake::TwilioSignature(t, u, params)},
                   body};
  };
  v1::Interaction ix = ExpectOneInteraction(
      "twilio",
      {signed_by("0000000000000000000000000000000a", url),
       signed_by(token, "https://hooks.acme.example/webhooks/acme/other"),
       Attempt{"/webhooks/acme/twilio-sms", {}, body}},
      signed_by(token, url), "twilio-sms:SM8a1f0c9d2b7e4f6a3c5d7e9f1a2b3c4d", "<Response/>");
  EXPECT_EQ(ix.channel(), v1::CHANNEL_SMS);
  EXPECT_EQ(ix.customer_id(), "tel:14155550123");
  EXPECT_EQ(ix.body(), "Hi, my card was charged twice for order #42. Can you help?");
  EXPECT_EQ(ix.attributes().at("from"), "+14155550123");
  EXPECT_EQ(ix.attributes().at("source"), "twilio-sms");

  // An incoming call, answered with the source's TwiML.
  const std::string voice_url = "https://hooks.acme.example/webhooks/acme/twilio-voice";
  const std::string twiml = "<Response><Say>Please hold.</Say></Response>";
  PutSource(R"({"name": "twilio-voice", "kind": "INBOUND_SOURCE_KIND_TWILIO", "secret": ")" +
            token + R"(", "publicUrl": ")" + voice_url + R"(", "queue": "support", "twiml": ")" +
            twiml + R"("})");
  const std::string call = Fixture("twilio_call.form");
  auto call_form = intake::ParseForm("application/x-www-form-urlencoded", call);
  ASSERT_TRUE(call_form.ok());
  std::vector<std::pair<std::string, std::string>> call_params;
  for (const auto& f : *call_form) call_params.emplace_back(f.name, f.value);
  auto r =
      Post("/webhooks/acme/twilio-voice",
           {"X-Twilio-Signature: " + intake::TwilioSignature(token, voice_url, call_params)}, call);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, twiml);
  std::string call_id = ByIdempotencyKey("twilio-voice:CA5d7e9f1a2b3c4d5e6f7a8b9c0d1e2f3a");
  ASSERT_FALSE(call_id.empty());
  EXPECT_EQ(WaitQueued(call_id).channel(), v1::CHANNEL_VOICE);
}

TEST_F(WebhookAdapterE2E, MailgunInboundEmail) {
  const std::string key = "key-4f1c2b7e9a0d3c5e8f6a1b2c3d4e5f60";
  PutSource(R"({"name": "mailgun", "kind": "INBOUND_SOURCE_KIND_MAILGUN_EMAIL", "secret": ")" +
            key + R"(", "queue": "support"})");
  const std::string signed_text =
      "1730797332" + std::string("5c2e6f8a1b3d4c7e9f0a2b4d6e8f1a3c5e7b9d0f2a4c6e8b1d");
  auto body_with = [&](const std::string& signature) {
    return Attempt{
        "/webhooks/acme/mailgun",
        {"Content-Type: multipart/form-data; boundary=0b6e1f2a9c3d4e5f"},
        Crlf(absl::StrReplaceAll(Fixture("mailgun.multipart"), {{"{{signature}}", signature}}))};
  };
  v1::Interaction ix = ExpectOneInteraction(
      "mailgun_email",
      {body_with(HmacSha256Hex("key-another-account-0000000000000", signed_text)), body_with("")},
      body_with(HmacSha256Hex(key, signed_text)),
      "mailgun:<CAHx1f9=QeT0vGZkq3mP7@mail.example.com>");
  EXPECT_EQ(ix.channel(), v1::CHANNEL_EMAIL);
  EXPECT_EQ(ix.customer_id(), "ann.example@example.com");
  EXPECT_EQ(ix.subject(), "My card was charged twice");
  EXPECT_EQ(ix.body(),
            "Hello,\r\nmy card was charged twice for order 42 (statement attached).\r\nAnn");
  EXPECT_EQ(ix.attributes().at("attachments"), "1");
  EXPECT_EQ(ix.attributes().at("to"), "Acme Support <support@acme.example>");
}

TEST_F(WebhookAdapterE2E, SendGridInboundParse) {
  const std::string token = "sg_Q2h4dF9rZXlfZm9yX3Rlc3Rz";
  PutSource(R"({"name": "sendgrid", "kind": "INBOUND_SOURCE_KIND_SENDGRID_EMAIL", "secret": ")" +
            token + R"(", "queue": "support"})");
  const std::string body = Crlf(Fixture("sendgrid.multipart"));
  const std::vector<std::string> headers = {"Content-Type: multipart/form-data; boundary=xYzZY"};
  v1::Interaction ix = ExpectOneInteraction(
      "sendgrid_email",
      {Attempt{"/webhooks/acme/sendgrid/sg_wrong_token_000000000000", headers, body},
       Attempt{"/webhooks/acme/sendgrid", headers, body}},
      Attempt{"/webhooks/acme/sendgrid/" + token, headers, body},
      "sendgrid:<CAN7Dz8v1xQmR4+ZxY2w@mail.example.com>");
  EXPECT_EQ(ix.channel(), v1::CHANNEL_EMAIL);
  EXPECT_EQ(ix.customer_id(), "bob@example.com");
  EXPECT_EQ(ix.subject(), "Lost card, please block it");
  EXPECT_TRUE(absl::StartsWith(ix.body(), "I lost my card yesterday.")) << ix.body();
}

TEST_F(WebhookAdapterE2E, ChatWidgetMessage) {
  const std::string secret = "chat-widget-secret-0b1c2d3e4f";
  PutSource(R"({"name": "chat", "kind": "INBOUND_SOURCE_KIND_CHAT_WIDGET", "secret": ")" + secret +
            R"(", "queue": "support"})");
  const std::string body = Fixture("chat_message.json");
  auto signed_at = [&](const std::string& s, int64_t t) {
    return Attempt{"/webhooks/acme/chat",
                   {"Content-Type: application/json", SignatureHeader(s, body, t)},
                   body};
  };
  const int64_t now = NowSeconds();
  v1::Interaction ix = ExpectOneInteraction(
      "chat_widget",
      {signed_at("chat-widget-secret-wrong-0000", now), signed_at(secret, now - 1000),
       Attempt{"/webhooks/acme/chat", {"Content-Type: application/json"}, body}},
      signed_at(secret, now), "chat:msg_01HF8Z3K7Q2R9X4Y6W1V0T5S3P");
  EXPECT_EQ(ix.channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(ix.customer_id(), "visitor_4b3f9e");
  EXPECT_EQ(ix.body(), "Hi, I can't log in to my account since this morning.");
  EXPECT_EQ(ix.attributes().at("conversation_id"), "conv_7781");
  EXPECT_EQ(ix.attributes().at("page"), "/login");
}

TEST_F(WebhookAdapterE2E, GenericSignedJson) {
  const std::string secret = "crm-signing-secret-7a8b9c0d1e2f";
  PutSource(R"({"name": "crm", "kind": "INBOUND_SOURCE_KIND_SIGNED_JSON", "secret": ")" + secret +
            R"(", "queue": "support", "attributes": {"origin": "crm"}})");
  const std::string body = Fixture("signed_json.json");
  auto signed_by = [&](const std::string& s, const std::string& b) {
    return Attempt{"/webhooks/acme/crm",
                   {"Content-Type: application/json", SignatureHeader(s, b, NowSeconds())},
                   b};
  };
  // A body changed after signing is refused as a wrong signature.
  Attempt tampered = signed_by(secret, body);
  tampered.body = absl::StrReplaceAll(body, {{"gold", "platinum"}});
  v1::Interaction ix = ExpectOneInteraction(
      "signed_json", {signed_by("crm-signing-secret-wrong-00000", body), tampered},
      signed_by(secret, body), "crm:case-00012345-1");
  EXPECT_EQ(ix.channel(), v1::CHANNEL_EMAIL);
  EXPECT_EQ(ix.customer_id(), "crm-contact-7781");
  EXPECT_EQ(ix.subject(), "Contract renewal question");
  EXPECT_EQ(ix.attributes().at("crm_case"), "00012345");
  EXPECT_EQ(ix.attributes().at("origin"), "crm");

  // Invalid content gets 400 naming the field and stores nothing; other statuses.
  const int before = InteractionCount();
  std::string long_subject = absl::StrCat(R"({"channel": "CHANNEL_EMAIL", "subject": ")",
                                          std::string(1001, 's'), R"(", "idempotencyKey": "k2"})");
  auto a = signed_by(secret, long_subject);
  auto r = Post(a.path, a.headers, a.body);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, "subject: ")) << r.body;
  auto b = signed_by(secret, R"({"channel": "CHANNEL_EMAIL"})");
  r = Post(b.path, b.headers, b.body);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, "idempotency_key: ")) << r.body;
  // The same message id with other content: a conflict, not a second interaction.
  auto c = signed_by(secret, absl::StrReplaceAll(body, {{"annual billing", "monthly billing"}}));
  r = Post(c.path, c.headers, c.body);
  EXPECT_EQ(r.status, 409) << r.body;
  auto text = signed_by(secret, body);
  r = Post(text.path, {"Content-Type: text/plain", text.headers[1]}, body);
  EXPECT_EQ(r.status, 415) << r.body;
  r = Post("/webhooks/acme/no-such-source", text.headers, body);
  EXPECT_EQ(r.status, 404) << r.body;
  r = Post("/webhooks/initech/crm", text.headers, body);
  EXPECT_EQ(r.status, 404) << r.body;
  r = Post("/webhooks/acme/crm/extra", text.headers, body);
  EXPECT_EQ(r.status, 404) << r.body;
  auto get = Curl(cluster_->dir(), "GET", Url("intake", "/webhooks/acme/crm"), {});
  EXPECT_EQ(get.status, 405) << get.body;
  EXPECT_EQ(InteractionCount(), before);
}

// Posts `a` until it gets `status`, for at most 10 s (a replica's cache of sources is 2 s).
bool EventuallyStatus(const std::function<e2e::HttpResult()>& post, int status) {
  for (int i = 0; i < 100; ++i) {
    if (post().status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST_F(WebhookAdapterE2E, SourcesAreWriteOnlySecretsAndChangesApplyWithinSeconds) {
  const std::string old_secret = "rotating-secret-old-000000";
  const std::string new_secret = "rotating-secret-new-111111";
  auto put = [&](const std::string& secret) {
    return PutSource(R"({"name": "rotating", "kind": "INBOUND_SOURCE_KIND_CHAT_WIDGET",
                         "secret": ")" +
                     secret + R"("})");
  };
  v1::InboundSource stored = put(old_secret);
  EXPECT_EQ(stored.secret(), "");
  EXPECT_EQ(stored.secret_fingerprint().size(), 12u);
  EXPECT_EQ(stored.path(), "/webhooks/acme/rotating");
  auto list = PostJson(cluster_->dir(), Url("routing", "/omniroute.v1.Admin/ListInboundSources"),
                       Key("admin"), "{}");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_FALSE(absl::StrContains(list.body, old_secret)) << list.body;
  EXPECT_TRUE(absl::StrContains(list.body, stored.secret_fingerprint())) << list.body;

  const std::string body = R"({"type": "typing", "conversationId": "c-1"})";
  auto post_signed = [&](const std::string& secret) {
    return [&, secret] {
      return Post("/webhooks/acme/rotating",
                  {"Content-Type: application/json", SignatureHeader(secret, body, NowSeconds())},
                  body);
    };
  };
  auto ignored = post_signed(old_secret)();
  EXPECT_EQ(ignored.status, 200) << ignored.body;
  EXPECT_EQ(ignored.body, R"({"ignored":true})");
  // A new secret applies within the cache time; then the old one is refused.
  EXPECT_NE(put(new_secret).secret_fingerprint(), stored.secret_fingerprint());
  EXPECT_TRUE(EventuallyStatus(post_signed(new_secret), 200));
  EXPECT_EQ(post_signed(old_secret)().status, 401);
  // A deleted source is gone within the cache time.
  auto del = PostJson(cluster_->dir(), Url("routing", "/omniroute.v1.Admin/DeleteInboundSource"),
                      Key("admin"), R"({"name": "rotating"})");
  EXPECT_EQ(del.status, 200) << del.body;
  EXPECT_TRUE(EventuallyStatus(post_signed(new_secret), 404));
  del = PostJson(cluster_->dir(), Url("routing", "/omniroute.v1.Admin/DeleteInboundSource"),
                 Key("admin"), R"({"name": "rotating"})");
  EXPECT_EQ(del.status, 404) << del.body;

  // Bad sources are refused naming the field; only admins may write them.
  auto bad = PostJson(cluster_->dir(), Url("routing", "/omniroute.v1.Admin/PutInboundSource"),
                      Key("admin"), R"({"source": {"name": "x", "kind":
                          "INBOUND_SOURCE_KIND_SIGNED_JSON", "secret": "0123456789abcdef",
                          "queue": "no-such-queue"}})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_TRUE(absl::StrContains(bad.body, "source.queue: ")) << bad.body;
  bad = PostJson(cluster_->dir(), Url("routing", "/omniroute.v1.Admin/PutInboundSource"),
                 Key("admin"), R"({"source": {"name": "x", "kind": "INBOUND_SOURCE_KIND_TWILIO",
                                  "secret": "0123456789abcdef"}})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_TRUE(absl::StrContains(bad.body, "source.public_url: ")) << bad.body;
  auto integrator =
      PostJson(cluster_->dir(), Url("routing", "/omniroute.v1.Admin/ListInboundSources"),
               Key("integrator"), "{}");
  EXPECT_EQ(integrator.status, 403) << integrator.body;
}

}  // namespace
}  // namespace omniroute::webhooks_test
