// Webhooks out through the real executables: intake, classification and routing make events,
// omniroute-webhooks workers POST them to receivers on loopback. Each test checks the receiver's
// ledger (webhook_ledger.h): every event delivered at least once on the wire and exactly once
// by delivery id, signed, in feed order per interaction.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/webhooks_e2e.h"

namespace omniroute {
namespace {

TEST_F(WebhooksE2E, AFlakyReceiverGetsEveryEventOnceByDeliveryIdInOrderPerInteraction) {
  Start(2, {"--max-attempts=10"});
  // The first 8 requests fail, then the first attempt of every third delivery.
  std::mutex mu;
  std::map<std::string, int> attempts;
  std::set<std::string> first_seen;
  WebhookReceiver flaky([&](const WebhookReceiver::Request& req, int index) {
    std::lock_guard<std::mutex> lock(mu);
    const std::string& id = req.headers.at("omniroute-delivery-id");
    bool fresh = first_seen.insert(id).second;
    int n = ++attempts[id];
    if (index < 8) return WebhookReceiver::Answer{503};
    if (n == 1 && fresh && first_seen.size() % 3 == 0) return WebhookReceiver::Answer{500};
    return WebhookReceiver::Answer{200};
  });
  WebhookReceiver steady;
  auto all = Subscribe(flaky.url("/all"));
  auto some = Subscribe(steady.url("/queued"), {"queued", "canceled"});
  ASSERT_FALSE(all.secret().empty());
  Workload(30, 4);
  auto expected_all = Expected(all);
  auto expected_some = Expected(some);
  ASSERT_EQ(expected_all.size(), 30u * 3 + 8);  // submitted, classified, queued; 8 canceled
  ASSERT_EQ(expected_some.size(), 30u + 8);

  auto ledger = WaitDelivered(flaky, all, expected_all);
  std::printf("flaky receiver: %s\n", ledger.Summary().c_str());
  EXPECT_TRUE(ledger.missing.empty())
      << ledger.missing.size() << " missing, e.g. " << ledger.missing.front();
  for (const auto& p : ledger.problems) ADD_FAILURE() << p;
  EXPECT_EQ(ledger.delivered, expected_all.size());
  // 8 at first; of the (at least) 90 delivery ids first seen after them, every third once.
  EXPECT_GE(ledger.failed, 8u + (expected_all.size() - 8) / 3);
  auto filtered = WaitDelivered(steady, some, expected_some);
  std::printf("filtered webhook: %s\n", filtered.Summary().c_str());
  EXPECT_TRUE(filtered.missing.empty());
  for (const auto& p : filtered.problems) ADD_FAILURE() << p;
  EXPECT_EQ(filtered.failed, 0u);

  // The workers counted what the receivers saw; the backlog drains to 0.
  EXPECT_GE(
      WorkerMetric("omniroute_webhook_deliveries_total{result=\"delivered\",tenant=\"acme\"}"),
      static_cast<double>(expected_all.size() + expected_some.size()));
  EXPECT_EQ(WorkerMetric("omniroute_webhook_attempt_failures_total{reason=\"http_status\","
                         "tenant=\"acme\"}"),
            static_cast<double>(ledger.failed));
  EXPECT_TRUE(e2e::WaitFor(
      [&] { return WorkerMetric("omniroute_webhook_backlog{tenant=\"acme\"}") == 0; }, seconds(5)));
  v1::GetWebhookRequest g;
  g.set_id(all.webhook().id());
  v1::GetWebhookResponse got;
  ASSERT_TRUE(api_->admin().GetWebhook(Ctx().get(), g, &got).ok());
  EXPECT_EQ(got.webhook().pending_deliveries(), 0);
}

TEST_F(WebhooksE2E, AnAlwaysFailingReceiverEndsInTheDeadLetters) {
  Start(1, {"--max-attempts=3"});
  std::atomic<bool> failing{true};
  WebhookReceiver receiver(
      [&](const auto&, int) { return WebhookReceiver::Answer{failing.load() ? 500 : 200}; });
  auto w = Subscribe(receiver.url(), {"queued"});
  Workload(12, 100);
  auto expected = Expected(w);
  ASSERT_EQ(expected.size(), 12u);

  // Every delivery is tried 3 times, then parked: the dead letters list them all.
  v1::ListWebhookDeadLettersResponse all;
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        v1::ListWebhookDeadLettersRequest r;
        r.set_page_size(500);
        all.Clear();
        return api_->admin().ListWebhookDeadLetters(Ctx().get(), r, &all).ok() && all.total() == 12;
      },
      seconds(30)))
      << all.DebugString();
  auto ledger = e2e::CheckWebhookDeliveries(receiver.requests(), "acme", w.webhook().id(),
                                            w.secret(), expected);
  std::printf("always failing: %s\n", ledger.Summary().c_str());
  for (const auto& p : ledger.problems) ADD_FAILURE() << p;
  EXPECT_EQ(ledger.requests, 36u);
  EXPECT_EQ(ledger.delivered, 0u);
  std::set<std::string> expected_ids;
  for (const auto& e : expected) expected_ids.insert(w.webhook().id() + "." + e.id);
  std::vector<std::string> paged;  // 5 per page, newest first
  std::string token;
  for (int page = 0; page < 10; ++page) {
    v1::ListWebhookDeadLettersRequest r;
    r.set_page_size(5);
    r.set_page_token(token);
    v1::ListWebhookDeadLettersResponse resp;
    ASSERT_TRUE(api_->admin().ListWebhookDeadLetters(Ctx().get(), r, &resp).ok());
    for (const auto& d : resp.dead_letters()) {
      paged.push_back(d.delivery_id());
      EXPECT_TRUE(expected_ids.count(d.delivery_id())) << d.delivery_id();
      EXPECT_EQ(d.webhook_id(), w.webhook().id());
      EXPECT_EQ(d.attempts(), 3);
      EXPECT_EQ(d.last_status(), 500);
      EXPECT_EQ(d.last_error(), "HTTP 500: receiver says no");
      EXPECT_EQ(d.event().type(), "queued");
      EXPECT_EQ(w.webhook().id() + "." + d.event().event_id(), d.delivery_id());
    }
    token = resp.next_page_token();
    if (token.empty()) break;
  }
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()), expected_ids);
  EXPECT_EQ(paged.size(), 12u);

  // The receiver is fixed: 4 are redelivered (and leave the list), the rest are dropped.
  failing = false;
  v1::RedeliverWebhookDeadLettersRequest again;
  for (int i = 0; i < 4; ++i) again.add_delivery_ids(paged[i]);
  again.add_delivery_ids(w.webhook().id() + ".1-1");
  v1::RedeliverWebhookDeadLettersResponse again_resp;
  ASSERT_TRUE(api_->admin().RedeliverWebhookDeadLetters(Ctx().get(), again, &again_resp).ok());
  EXPECT_EQ(again_resp.redelivered_size(), 4);
  EXPECT_EQ(again_resp.not_found_size(), 1);
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        auto l = e2e::CheckWebhookDeliveries(receiver.requests(), "acme", w.webhook().id(),
                                             w.secret(), expected);
        return l.delivered == 4;
      },
      seconds(10)));
  v1::DeleteWebhookDeadLettersRequest drop;
  for (size_t i = 4; i < paged.size(); ++i) drop.add_delivery_ids(paged[i]);
  v1::DeleteWebhookDeadLettersResponse drop_resp;
  ASSERT_TRUE(api_->admin().DeleteWebhookDeadLetters(Ctx().get(), drop, &drop_resp).ok());
  EXPECT_EQ(drop_resp.deleted(), 8);
  v1::ListWebhookDeadLettersRequest r;
  v1::ListWebhookDeadLettersResponse left;
  ASSERT_TRUE(api_->admin().ListWebhookDeadLetters(Ctx().get(), r, &left).ok());
  EXPECT_EQ(left.total(), 0);
  EXPECT_EQ(WorkerMetric("omniroute_webhook_deliveries_total{result=\"dead_lettered\","
                         "tenant=\"acme\"}"),
            12);
}

TEST_F(WebhooksE2E, KillingAWorkerMidRunLosesNothing) {
  constexpr int kConcurrency = 4;
  Start(2, {"--max-attempts=10", "--timeout-ms=1000", "--lease-ms=2000",
            "--concurrency=" + std::to_string(kConcurrency)});
  // A slow receiver keeps deliveries in flight on both workers.
  WebhookReceiver receiver([](const auto&, int) { return WebhookReceiver::Answer{200, 100}; });
  auto w = Subscribe(receiver.url());
  Workload(40, 5);
  auto expected = Expected(w);
  ASSERT_EQ(expected.size(), 40u * 3 + 8);
  // More requests in flight than one worker may have: the one killed holds some of them (the
  // receiver answers them, but that worker never learns it).
  ASSERT_TRUE(
      e2e::WaitFor([&] { return receiver.count() >= 20 && receiver.in_flight() > kConcurrency; },
                   seconds(20), milliseconds(2)));
  auto workers = cluster_->Replicas("webhooks");
  ASSERT_EQ(workers.size(), 2u);
  ASSERT_TRUE(workers[0]->process->Signal(SIGKILL));
  size_t at_kill = receiver.count();
  auto ledger = WaitDelivered(receiver, w, expected);
  std::printf("worker killed after %zu requests: %s\n", at_kill, ledger.Summary().c_str());
  EXPECT_LT(at_kill, expected.size()) << "the kill came after the run";
  EXPECT_TRUE(ledger.missing.empty()) << ledger.missing.size() << " deliveries lost";
  for (const auto& p : ledger.problems) ADD_FAILURE() << p;
  EXPECT_EQ(ledger.delivered, expected.size());
  // What the dead worker had in flight went out again from the other one.
  EXPECT_GE(ledger.duplicates, 1u);
  v1::GetWebhookRequest g;
  g.set_id(w.webhook().id());
  v1::GetWebhookResponse got;
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        return api_->admin().GetWebhook(Ctx().get(), g, &got).ok() &&
               got.webhook().pending_deliveries() == 0;
      },
      seconds(10)));
}

TEST_F(WebhooksE2E, TheAdminApiRefusesBadInputNamingTheField) {
  Start(0, {});
  auto put = [&](const std::string& url, std::vector<std::string> types = {}) {
    v1::PutWebhookRequest req;
    req.mutable_webhook()->set_url(url);
    for (const auto& t : types) req.mutable_webhook()->add_event_types(t);
    v1::PutWebhookResponse resp;
    return api_->admin().PutWebhook(Ctx().get(), req, &resp);
  };
  for (const auto& [url, message] : std::vector<std::pair<std::string, std::string>>{
           {"ftp://example.com/", "webhook.url: must start with http:// or https://"},
           {"https://u:p@example.com/", "webhook.url: must not carry a user or password"},
           {"https://example.com/#x", "webhook.url: must not have a #fragment"},
           {"https:///x", "webhook.url: has no host"}}) {
    auto st = put(url);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << url;
    EXPECT_EQ(st.error_message().substr(0, message.size()), message) << st.error_message();
  }
  auto st = put("https://example.com/", {"queued", "nope"});
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().substr(0, 23), "webhook.event_types[1]:");
  v1::GetWebhookRequest g;
  g.set_id("wh_000000000000000000000000");
  v1::GetWebhookResponse got;
  EXPECT_EQ(api_->admin().GetWebhook(Ctx().get(), g, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  g.set_id("nope");
  EXPECT_EQ(api_->admin().GetWebhook(Ctx().get(), g, &got).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::RedeliverWebhookDeadLettersRequest none;
  v1::RedeliverWebhookDeadLettersResponse none_resp;
  st = api_->admin().RedeliverWebhookDeadLetters(Ctx().get(), none, &none_resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().substr(0, 13), "delivery_ids:");
  v1::ListWebhookDeadLettersRequest bad_page;
  bad_page.set_page_token("garbage");
  v1::ListWebhookDeadLettersResponse page;
  st = api_->admin().ListWebhookDeadLetters(Ctx().get(), bad_page, &page);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().substr(0, 11), "page_token:");
  // Nothing was stored.
  v1::ListWebhooksRequest l;
  v1::ListWebhooksResponse listed;
  ASSERT_TRUE(api_->admin().ListWebhooks(Ctx().get(), l, &listed).ok());
  EXPECT_EQ(listed.webhooks_size(), 0);
}

}  // namespace
}  // namespace omniroute
