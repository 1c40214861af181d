// CurlSender against a receiver on loopback: success, statuses, redirects not followed, the
// time-out, the address guard.
#include "services/webhooks/http_sender.h"

#include <gtest/gtest.h>

#include "tests/support/webhook_receiver.h"

namespace omniroute::webhooks {
namespace {

using testing::WebhookReceiver;

DeliveryRequest Request(const std::string& url) {
  DeliveryRequest r;
  r.url = url;
  r.body = R"({"deliveryId":"d1"})";
  r.headers = {{"Omniroute-Delivery-Id", "d1"}, {"Omniroute-Signature", "t=1,v1=ab"}};
  return r;
}

SenderOptions Loopback(int64_t timeout_ms = 2000) {
  SenderOptions o;
  o.timeout_ms = timeout_ms;
  o.policy.allow_loopback = true;
  return o;
}

TEST(HttpSenderTest, PostsTheBodyAndHeadersAndTakesA2xx) {
  WebhookReceiver receiver([](const auto&, int) { return WebhookReceiver::Answer{204}; });
  CurlSender sender(Loopback());
  auto result = sender.Post(Request(receiver.url("/in")));
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.status, 204);
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  const auto& req = got[0].first;
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/in");
  EXPECT_EQ(req.body, R"({"deliveryId":"d1"})");
  EXPECT_EQ(req.headers.at("content-type"), "application/json");
  EXPECT_EQ(req.headers.at("omniroute-delivery-id"), "d1");
  EXPECT_EQ(req.headers.at("omniroute-signature"), "t=1,v1=ab");
  EXPECT_EQ(req.headers.count("expect"), 0u);
  EXPECT_EQ(req.headers.at("user-agent").substr(0, 19), "omniroute-webhooks/");
}

TEST(HttpSenderTest, OtherStatusesAndRedirectsFail) {
  WebhookReceiver receiver([](const auto& req, int) {
    return WebhookReceiver::Answer{req.path == "/moved" ? 302 : 503};
  });
  CurlSender sender(Loopback());
  auto failed = sender.Post(Request(receiver.url("/x")));
  EXPECT_EQ(failed.outcome, "http_status");
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.error, "HTTP 503: receiver says no");
  auto moved = sender.Post(Request(receiver.url("/moved")));
  EXPECT_EQ(moved.outcome, "http_status");
  EXPECT_EQ(moved.status, 302);
  EXPECT_NE(moved.error.find("redirects are not followed"), std::string::npos) << moved.error;
  EXPECT_EQ(receiver.count(), 2u);
}

TEST(HttpSenderTest, ASlowReceiverTimesOut) {
  WebhookReceiver receiver([](const auto&, int) { return WebhookReceiver::Answer{200, 1500}; });
  CurlSender sender(Loopback(300));
  auto result = sender.Post(Request(receiver.url()));
  EXPECT_EQ(result.outcome, "timeout") << result.error;
  EXPECT_LT(result.seconds, 1.2);
  EXPECT_GE(result.seconds, 0.25);
}

TEST(HttpSenderTest, TheGuardRefusesLoopbackUnlessAllowed) {
  WebhookReceiver receiver;
  CurlSender guarded(SenderOptions{.timeout_ms = 2000});
  for (const std::string& url :
       {receiver.url(), "http://localhost:" + std::to_string(receiver.port()) + "/hook",
        "http://[::ffff:127.0.0.1]:" + std::to_string(receiver.port()) + "/hook"}) {
    auto result = guarded.Post(Request(url));
    EXPECT_EQ(result.outcome, "blocked") << url << ": " << result.error;
    EXPECT_NE(result.error.find("is a loopback address"), std::string::npos) << result.error;
  }
  EXPECT_EQ(receiver.count(), 0u);
  CurlSender allowed(Loopback());
  EXPECT_TRUE(allowed.Post(Request(receiver.url())).ok());
  EXPECT_EQ(receiver.count(), 1u);
}

TEST(HttpSenderTest, NothingListeningIsAConnectFailure) {
  int port;
  {
    WebhookReceiver gone;
    port = gone.port();
  }
  CurlSender sender(Loopback());
  auto result = sender.Post(Request("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(result.outcome, "connect") << result.error;
  EXPECT_EQ(result.status, 0);
}

}  // namespace
}  // namespace omniroute::webhooks
