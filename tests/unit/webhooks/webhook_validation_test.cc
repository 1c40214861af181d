#include "services/webhooks/webhook_validation.h"

#include <gtest/gtest.h>

#include <string>

namespace omniroute::webhooks {
namespace {

std::string UrlError(const std::string& url) {
  auto parsed = ParseWebhookUrl("webhook.url", url);
  return parsed.ok() ? "" : std::string(parsed.status().message());
}

TEST(WebhookUrlTest, AcceptsHttpAndHttpsUrlsWithAHost) {
  auto u = ParseWebhookUrl("url", "HTTPS://Hooks.Example.com:8443/omniroute?x=1&y=%20");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 8443);
  u = ParseWebhookUrl("url", "http://[::1]:9/x");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9);
  u = ParseWebhookUrl("url", "http://10.1.2.3");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->port, 0);
}

TEST(WebhookUrlTest, RefusesWhatIsNotAPlainHttpUrlNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "is required"},
      {"ftp://example.com/x", "must start with http:// or https://"},
      {"example.com/hook", "must start with http:// or https://"},
      {"javascript:alert(1)", "must start with http:// or https://"},
      {"https://user:pw@example.com/", "must not carry a user or password"},
      {"https://token@example.com/", "must not carry a user or password"},
      {"https://example.com/#frag", "must not have a #fragment"},
      {"https:///path", "has no host"},
      {"https://:443/x", "has no host"},
      {"https://exa mple.com/", "printable ASCII"},
      {"https://example.com/\xc3\xa9", "printable ASCII"},
      {"https://exa_mple.com/", "has a bad host"},
      {"https://example.com:0/", "has a bad port"},
      {"https://example.com:65536/", "has a bad port"},
      {"https://example.com:8x/", "has a bad port"},
      {"https://example.com:/", "has an empty port"},
      {"https://[::1/", "unclosed [IPv6] host"},
      {"https://[zz::1]/", "bad IPv6 host"},
  };
  for (const auto& [url, why] : cases) {
    std::string error = UrlError(url);
    EXPECT_EQ(error.rfind("webhook.url: ", 0), 0u) << url << " -> " << error;
    EXPECT_NE(error.find(why), std::string::npos) << url << " -> " << error;
  }
  EXPECT_NE(UrlError("https://example.com/" + std::string(2100, 'a')).find("longer than 2048"),
            std::string::npos);
}

TEST(WebhookValidationTest, EventTypesMustBeKnownAndDistinct) {
  v1::Webhook w;
  w.set_url("https://example.com/hook");
  EXPECT_TRUE(ValidateWebhook(w).ok());
  w.add_event_types("queued");
  w.add_event_types("completed");
  EXPECT_TRUE(ValidateWebhook(w).ok());
  w.add_event_types("queued");
  EXPECT_EQ(std::string(ValidateWebhook(w).message()),
            "webhook.event_types[2]: 'queued' given twice");
  w.set_event_types(2, "exploded");
  EXPECT_EQ(std::string(ValidateWebhook(w).message()).substr(0, 46),
            "webhook.event_types[2]: unknown event type 'ex");
}

TEST(WebhookValidationTest, DescriptionIdAndUrlAreChecked) {
  v1::Webhook w;
  w.set_url("https://example.com/hook");
  w.set_description(std::string(256, 'd'));
  EXPECT_TRUE(ValidateWebhook(w).ok());
  w.set_description(std::string(257, 'd'));
  EXPECT_EQ(std::string(ValidateWebhook(w).message()).substr(0, 20), "webhook.description:");
  w.set_description("caf\xc3");
  EXPECT_EQ(std::string(ValidateWebhook(w).message()).substr(0, 20), "webhook.description:");
  w.set_description("");
  w.set_id("wh_0123456789abcdef01234567");
  EXPECT_TRUE(ValidateWebhook(w).ok());
  w.set_id("wh_0123456789ABCDEF01234567");
  EXPECT_EQ(std::string(ValidateWebhook(w).message()).substr(0, 11), "webhook.id:");
  w.set_id("");
  w.set_url("");
  EXPECT_EQ(std::string(ValidateWebhook(w).message()), "webhook.url: is required");
}

TEST(WebhookValidationTest, DeliveryIdsAreAWebhookIdAndAnEventId) {
  std::string id = DeliveryId("wh_0123456789abcdef01234567", "1700000000000-3");
  EXPECT_EQ(id, "wh_0123456789abcdef01234567.1700000000000-3");
  EXPECT_TRUE(ValidateDeliveryId("delivery_ids[0]", id).ok());
  for (const char* bad :
       {"", "wh_0123456789abcdef01234567", "wh_x.1-1", "wh_0123456789abcdef01234567.1700000000000",
        "wh_0123456789abcdef01234567.-1", "wh_0123456789abcdef01234567.1-a"}) {
    auto st = ValidateDeliveryId("delivery_ids[0]", bad);
    EXPECT_TRUE(absl::IsInvalidArgument(st)) << bad;
    EXPECT_EQ(std::string(st.message()).substr(0, 16), "delivery_ids[0]:") << bad;
  }
}

}  // namespace
}  // namespace omniroute::webhooks
