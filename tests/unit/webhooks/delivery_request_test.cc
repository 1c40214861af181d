#include "services/webhooks/delivery_request.h"

#include <gtest/gtest.h>

#include "services/common/grpc/published.h"
#include "services/webhooks/delivery_worker.h"
#include "services/webhooks/webhooks_config.h"

namespace omniroute::webhooks {
namespace {

// What fanout.lua writes for an event.
std::string Encode(const std::string& id,
                   const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = id + "\n";
  for (const auto& [k, v] : fields) {
    out += std::to_string(k.size()) + ":" + k + std::to_string(v.size()) + ":" + v;
  }
  return out;
}

TEST(DeliveryRequestTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DeliveryRequestTest, SignatureSignsTimestampDotBodyWithEverySecret) {
  std::string one = SignatureHeader(1700000000, "{}", "whsec_a");
  EXPECT_EQ(one, "t=1700000000,v1=" + HmacSha256Hex("whsec_a", "1700000000.{}"));
  std::string two = SignatureHeader(1700000000, "{}", "whsec_a", "whsec_old");
  EXPECT_EQ(two, one + ",v1=" + HmacSha256Hex("whsec_old", "1700000000.{}"));
}

TEST(DeliveryRequestTest, EntriesDecodeWithAnyBytesInValues) {
  std::string value = std::string("a:b\n7:x") + '\0' + "\xff";
  auto r = DecodeEntry(Encode("1700000000000-2", {{"type", "queued"}, {"reason", value}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->id_text, "1700000000000-2");
  ASSERT_EQ(r->fields.size(), 2u);
  EXPECT_EQ(r->fields[1].second, value);
  for (const char* bad : {"", "1-1", "x\n", "1-1\n4:type", "1-1\n4:type9:queued", "1-1\n:x"}) {
    EXPECT_FALSE(DecodeEntry(bad).ok()) << bad;
  }
}

TEST(DeliveryRequestTest, RequestCarriesTheEventAsJsonAndItsIds) {
  Lease lease;
  lease.tenant = "acme";
  lease.member = "wh_0123456789abcdef01234567|ix1";
  lease.attempts = 2;
  lease.url = "https://example.com/h";
  lease.secret = "whsec_s";
  lease.entry = Encode("1700000000000-5", {{"type", "queued"},
                                           {"at", "1700000000000"},
                                           {"ix", "ix1"},
                                           {"queue", "support"},
                                           {"priority", "2"}});
  auto req = BuildRequest(lease, 1700000001);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->delivery_id, "wh_0123456789abcdef01234567.1700000000000-5");
  v1::WebhookDelivery body;
  ASSERT_TRUE(published::FromJson(req->body, &body).ok()) << req->body;
  EXPECT_EQ(body.delivery_id(), req->delivery_id);
  EXPECT_EQ(body.tenant_id(), "acme");
  EXPECT_EQ(body.webhook_id(), "wh_0123456789abcdef01234567");
  EXPECT_EQ(body.event().type(), "queued");
  EXPECT_EQ(body.event().interaction_id(), "ix1");
  EXPECT_EQ(body.event().detail().at("priority"), "PRIORITY_P2");
  EXPECT_NE(req->body.find("\"deliveryId\""), std::string::npos) << req->body;
  std::map<std::string, std::string> h(req->headers.begin(), req->headers.end());
  EXPECT_EQ(h["Omniroute-Delivery-Id"], req->delivery_id);
  EXPECT_EQ(h["Omniroute-Event-Type"], "queued");
  EXPECT_EQ(h["Omniroute-Attempt"], "3");
  EXPECT_EQ(h["Omniroute-Signature"], SignatureHeader(1700000001, req->body, "whsec_s"));
}

TEST(BackoffTest, FullJitterUnderACappedDoubling) {
  EXPECT_EQ(BackoffMs(1, 1000, 60000, 0.999999), 999);
  EXPECT_EQ(BackoffMs(3, 1000, 60000, 0.5), 2000);
  EXPECT_EQ(BackoffMs(10, 1000, 60000, 1.0), 60000);
  EXPECT_EQ(BackoffMs(200, 1000, 60000, 0.5), 30000);
  EXPECT_EQ(BackoffMs(4, 1000, 60000, 0.0), 0);
}

TEST(WebhooksConfigTest, LeaseMustOutlastTheTimeOut) {
  WebhooksConfig c;
  EXPECT_TRUE(Validate(c).ok());
  c.sender.timeout_ms = 30000;
  EXPECT_EQ(std::string(Validate(c).message()).substr(0, 27), "--lease-ms must be 31000..3");
  c = {};
  c.worker.max_attempts = 0;
  EXPECT_EQ(std::string(Validate(c).message()).substr(0, 25), "--max-attempts must be 1.");
}

}  // namespace
}  // namespace omniroute::webhooks
