#include "services/intake/webhook_adapters.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "omniroute/v1/common.pb.h"

namespace omniroute::intake {
namespace {

std::vector<FormField> Form(std::vector<std::pair<std::string, std::string>> kv) {
  std::vector<FormField> out;
  for (auto& [k, v] : kv) out.push_back(FormField{k, v, "", "", false});
  return out;
}

TEST(WebhookAdaptersTest, CustomerIdsFromProviderAddresses) {
  EXPECT_EQ(CustomerIdFrom("+15551234567"), "tel:15551234567");
  EXPECT_EQ(CustomerIdFrom("whatsapp:+4915112345678"), "whatsapp:4915112345678");
  EXPECT_EQ(CustomerIdFrom("client:alice"), "client:alice");
  EXPECT_EQ(CustomerIdFrom("  Ann Example <Ann.Example@Example.COM> "), "ann.example@example.com");
  EXPECT_EQ(CustomerIdFrom("ann+tag@example.com"), "ann_tag@example.com");
  EXPECT_EQ(CustomerIdFrom("visitor 42/é"), "visitor_42___");
  EXPECT_EQ(CustomerIdFrom(""), "");
  EXPECT_EQ(CustomerIdFrom(std::string(300, 'a')).size(), 128u);
}

TEST(WebhookAdaptersTest, IdempotencyKeysArePerSourceAndBounded) {
  EXPECT_EQ(WebhookIdempotencyKey("sms", "SM123"), "sms:SM123");
  std::string long_id = absl::StrCat("<", std::string(200, 'x'), "@mail.example.com>");
  std::string hashed = WebhookIdempotencyKey("mail", long_id);
  EXPECT_TRUE(absl::StartsWith(hashed, "mail:sha256:")) << hashed;
  EXPECT_EQ(hashed.size(), std::string("mail:sha256:").size() + 32);
  EXPECT_EQ(hashed, WebhookIdempotencyKey("mail", long_id));  // stable
  EXPECT_NE(hashed, WebhookIdempotencyKey("mail", long_id + "y"));
  EXPECT_TRUE(absl::StartsWith(WebhookIdempotencyKey("chat", "m\n1"), "chat:sha256:"));
}

TEST(WebhookAdaptersTest, TwilioMessagesAndCalls) {
  auto sms = FromTwilio(Form({{"MessageSid", "SM1"},
                              {"SmsStatus", "received"},
                              {"From", "+15551234567"},
                              {"To", "+15557654321"},
                              {"Body", "Where is my order?"},
                              {"NumMedia", "1"},
                              {"FromCountry", "US"}}));
  ASSERT_TRUE(sms.ok()) << sms.status();
  EXPECT_FALSE(sms->ignored);
  EXPECT_EQ(sms->submission.channel, v1::CHANNEL_SMS);
  EXPECT_EQ(sms->submission.idempotency_key, "SM1");
  EXPECT_EQ(sms->submission.customer_id, "tel:15551234567");
  EXPECT_EQ(sms->submission.body, "Where is my order?");
  EXPECT_EQ(sms->submission.attributes.at("from"), "+15551234567");
  EXPECT_EQ(sms->submission.attributes.at("to"), "+15557654321");
  EXPECT_EQ(sms->submission.attributes.at("num_media"), "1");
  EXPECT_EQ(sms->submission.attributes.at("from_country"), "US");

  auto wa = FromTwilio(Form({{"MessageSid", "SM2"}, {"From", "whatsapp:+15551234567"}}));
  ASSERT_TRUE(wa.ok());
  EXPECT_EQ(wa->submission.channel, v1::CHANNEL_MESSAGING);
  EXPECT_EQ(wa->submission.customer_id, "whatsapp:15551234567");

  auto call = FromTwilio(Form({{"CallSid", "CA1"}, {"CallStatus", "ringing"}, {"From", "+1555"}}));
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->submission.channel, v1::CHANNEL_VOICE);
  EXPECT_EQ(call->submission.idempotency_key, "CA1");

  EXPECT_TRUE(FromTwilio(Form({{"CallSid", "CA1"}, {"CallStatus", "completed"}}))->ignored);
  EXPECT_TRUE(FromTwilio(Form({{"MessageSid", "SM1"}, {"MessageStatus", "delivered"}}))->ignored);
  auto none = FromTwilio(Form({{"From", "+1555"}}));
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(none.status().message(), "MessageSid: ")) << none.status();
}

TEST(WebhookAdaptersTest, MailgunEmail) {
  std::vector<FormField> form = Form({{"recipient", "support@acme.example"},
                                      {"sender", "bounce@example.com"},
                                      {"from", "Ann <ann@example.com>"},
                                      {"subject", "Refund"},
                                      {"body-plain", "Please refund order 42."},
                                      {"body-html", "<p>ignored</p>"},
                                      {"Message-Id", "<m1@mail.example.com>"},
                                      {"attachment-count", "2"}});
  auto mail = FromEmail(form);
  ASSERT_TRUE(mail.ok()) << mail.status();
  const Submission& s = mail->submission;
  EXPECT_EQ(s.channel, v1::CHANNEL_EMAIL);
  EXPECT_EQ(s.idempotency_key, "<m1@mail.example.com>");
  EXPECT_EQ(s.customer_id, "ann@example.com");
  EXPECT_EQ(s.subject, "Refund");
  EXPECT_EQ(s.body, "Please refund order 42.");
  EXPECT_EQ(s.attributes.at("to"), "support@acme.example");
  EXPECT_EQ(s.attributes.at("from"), "Ann <ann@example.com>");
  EXPECT_EQ(s.attributes.at("attachments"), "2");
  EXPECT_EQ(s.attributes.count("body_truncated"), 0u);
}

TEST(WebhookAdaptersTest, SendGridEmailWithHeadersCharsetsAndFiles) {
  std::vector<FormField> form = Form(
      {{"headers", "Received: by mx\r\nMessage-ID:\r\n <CAF1@mail.example.com>\r\nSubject: x\r\n"},
       {"from", "Bob <bob@example.com>"},
       {"to", "help@acme.example"},
       {"subject", "Caf\xe9"},  // ISO-8859-1, as charsets says
       {"text", std::string(20000, 'a') + "\xe9"},
       {"charsets", R"({"to":"UTF-8","subject":"iso-8859-1","text":"iso-8859-1"})"}});
  form.push_back(FormField{"attachment1", "%PDF", "a.pdf", "application/pdf", true});
  auto mail = FromEmail(form);
  ASSERT_TRUE(mail.ok()) << mail.status();
  const Submission& s = mail->submission;
  EXPECT_EQ(s.idempotency_key, "<CAF1@mail.example.com>");
  EXPECT_EQ(s.subject, "Caf\xc3\xa9");
  EXPECT_EQ(s.body.size(), kMaxBodyBytes);
  EXPECT_EQ(s.attributes.at("body_truncated"), "true");
  EXPECT_EQ(s.attributes.at("attachments"), "1");

  auto no_id = FromEmail(Form({{"from", "a@b.c"}, {"headers", "Subject: x\r\n"}}));
  EXPECT_EQ(no_id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(no_id.status().message(), "Message-Id: ")) << no_id.status();
  auto bad_charset = FromEmail(Form({{"Message-Id", "<x@y>"},
                                     {"subject", "x"},
                                     {"charsets", R"({"subject":"no-such-charset"})"}}));
  EXPECT_TRUE(absl::StartsWith(bad_charset.status().message(), "charsets: "))
      << bad_charset.status();
  auto bad_json = FromEmail(Form({{"Message-Id", "<x@y>"}, {"charsets", "{"}}));
  EXPECT_TRUE(absl::StartsWith(bad_json.status().message(), "charsets: ")) << bad_json.status();
}

TEST(WebhookAdaptersTest, CutUtf8NeverSplitsACharacter) {
  EXPECT_EQ(CutUtf8("abc", 5), "abc");
  EXPECT_EQ(CutUtf8("ab\xc3\xa9", 3), "ab");
  EXPECT_EQ(CutUtf8("ab\xc3\xa9", 4), "ab\xc3\xa9");
  EXPECT_EQ(CutUtf8("\xe2\x82\xac\xe2\x82\xac", 5), "\xe2\x82\xac");
}

TEST(WebhookAdaptersTest, ChatWidgetEvents) {
  auto msg = FromChatWidget(R"({"type": "message", "messageId": "m-1", "conversationId": "c-9",
      "customerId": "visitor 42", "text": "Hi there", "attributes": {"page": "/pricing"},
      "widgetVersion": "3.1"})");
  ASSERT_TRUE(msg.ok()) << msg.status();
  const Submission& s = msg->submission;
  EXPECT_EQ(s.channel, v1::CHANNEL_CHAT);
  EXPECT_EQ(s.idempotency_key, "m-1");
  EXPECT_EQ(s.customer_id, "visitor_42");
  EXPECT_EQ(s.body, "Hi there");
  EXPECT_EQ(s.attributes.at("page"), "/pricing");
  EXPECT_EQ(s.attributes.at("conversation_id"), "c-9");
  EXPECT_TRUE(FromChatWidget(R"({"type": "typing", "conversationId": "c-9"})")->ignored);
  EXPECT_TRUE(absl::StartsWith(FromChatWidget(R"({"type": "message"})").status().message(),
                               "message_id: "));
  EXPECT_TRUE(absl::StartsWith(FromChatWidget(R"({"text": "x"})").status().message(), "type: "));
  EXPECT_TRUE(absl::StartsWith(FromChatWidget("not json").status().message(), "request body: "));
}

TEST(WebhookAdaptersTest, SignedJsonAndTheSourceDefaults) {
  auto p = FromSignedJson(R"({"subject": "Hello", "idempotencyKey": "ext-1",
                              "attributes": {"tier": "gold"}})",
                          "acme");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->channel_from_payload);
  v1::InboundSource source;
  source.set_name("crm");
  source.set_queue("support");
  source.set_channel(v1::CHANNEL_TASK);
  source.set_priority(v1::PRIORITY_P2);
  (*source.mutable_attributes())["tier"] = "silver";
  (*source.mutable_attributes())["origin"] = "crm";
  ApplySource(source, &*p);
  const Submission& s = p->submission;
  EXPECT_EQ(s.idempotency_key, "crm:ext-1");
  EXPECT_EQ(s.queue, "support");
  EXPECT_EQ(s.channel, v1::CHANNEL_TASK);
  EXPECT_EQ(s.priority, 2);
  EXPECT_EQ(s.attributes.at("tier"), "gold");  // the payload's win
  EXPECT_EQ(s.attributes.at("origin"), "crm");
  EXPECT_EQ(s.attributes.at("source"), "crm");

  auto own = FromSignedJson(R"({"channel": "CHANNEL_EMAIL", "queue": "vip",
                                "idempotencyKey": "ext-2", "priority": "PRIORITY_P1"})",
                            "acme");
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(own->channel_from_payload);
  ApplySource(source, &*own);
  EXPECT_EQ(own->submission.channel, v1::CHANNEL_EMAIL);
  EXPECT_EQ(own->submission.queue, "vip");
  EXPECT_EQ(own->submission.priority, 1);

  EXPECT_TRUE(absl::StartsWith(FromSignedJson(R"({"subject": "x"})", "acme").status().message(),
                               "idempotency_key: "));
  EXPECT_TRUE(absl::StartsWith(
      FromSignedJson(R"({"tenantId": "globex", "idempotencyKey": "k"})", "acme").status().message(),
      "tenant_id: "));
  EXPECT_TRUE(absl::StartsWith(FromSignedJson(R"({"subjet": "x"})", "acme").status().message(),
                               "request body: "));
}

}  // namespace
}  // namespace omniroute::intake
