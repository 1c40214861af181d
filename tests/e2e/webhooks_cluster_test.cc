// Webhooks out on a Redis Cluster: three tenants on three different masters, one webhook worker;
// every tenant's events reach its receiver, in order, once by delivery id.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/webhooks_e2e.h"

namespace omniroute {
namespace {

TEST_F(WebhooksE2E, OnARedisClusterEveryTenantsEventsAreDelivered) {
  // Their hash slots are served by three different masters.
  const std::vector<std::string> tenants = {"acme", "stark", "umbrella"};
  Start(1, {"--max-attempts=10"}, tenants, /*redis_masters=*/3);
  auto slots = e2e::Cmd(*redis_, {"CLUSTER", "SLOTS"});
  std::set<int64_t> masters;
  for (const auto& tenant : tenants) {
    int64_t slot = e2e::Cmd(*redis_, {"CLUSTER", "KEYSLOT", "{t:" + tenant + "}"}).integer;
    for (const auto& range : slots.elements) {
      if (range.elements.size() >= 3 && range.elements[0].integer <= slot &&
          slot <= range.elements[1].integer) {
        masters.insert(range.elements[2].elements[1].integer);  // the master's port
      }
    }
  }
  ASSERT_EQ(masters.size(), 3u) << "the tenants do not spread over the three masters";
  // One receiver per tenant; the first fails every request's first attempt.
  std::mutex mu;
  std::set<std::string> seen;
  WebhookReceiver flaky([&](const WebhookReceiver::Request& req, int) {
    std::lock_guard<std::mutex> lock(mu);
    bool first = seen.insert(req.headers.at("omniroute-delivery-id")).second;
    return WebhookReceiver::Answer{first ? 503 : 200};
  });
  WebhookReceiver second, third;
  std::vector<WebhookReceiver*> receivers = {&flaky, &second, &third};
  std::vector<v1::PutWebhookResponse> hooks;
  for (size_t i = 0; i < tenants.size(); ++i) {
    hooks.push_back(Subscribe(receivers[i]->url(), {}, tenants[i]));
    ASSERT_FALSE(hooks.back().secret().empty()) << tenants[i];
  }
  for (const auto& tenant : tenants) Workload(8, 3, tenant);
  for (size_t i = 0; i < tenants.size(); ++i) {
    auto expected = Expected(hooks[i], tenants[i]);
    ASSERT_EQ(expected.size(), 8u * 3 + 3) << tenants[i];
    auto ledger = WaitDelivered(*receivers[i], hooks[i], expected, tenants[i]);
    std::printf("%s: %s\n", tenants[i].c_str(), ledger.Summary().c_str());
    EXPECT_TRUE(ledger.missing.empty()) << tenants[i];
    for (const auto& p : ledger.problems) ADD_FAILURE() << tenants[i] << ": " << p;
    EXPECT_EQ(ledger.delivered, expected.size()) << tenants[i];
  }
  EXPECT_EQ(flaky.count(), 2 * (8u * 3 + 3));  // every delivery twice: failed, then delivered
}

}  // namespace
}  // namespace omniroute
