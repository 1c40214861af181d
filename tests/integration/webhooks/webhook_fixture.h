// Shared fixture of the webhook integration tests: a private redis-server per test binary,
// emptied before every test, with the Admin-side store and the workers' delivery queue on it and
// a FakeClock driving their time. Events are appended to the tenant feed as the services'
// scripts would (XADD with the fields they write).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/webhooks/delivery_queue.h"
#include "services/webhooks/webhook_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"

namespace omniroute::webhooks {

class WebhookFixture : public ::testing::Test {
 protected:
  static constexpr char kTenant[] = "acme";

  static void SetUpTestSuite() {
    if (redis_ == nullptr) redis_ = new testing::RedisServer();
  }
  static void TearDownTestSuite() {
    delete redis_;
    redis_ = nullptr;
  }

  void SetUp() override {
    redis_->FlushAll();
    pool_ = std::make_unique<redis::Pool>(redis_->endpoint(), 8, std::chrono::milliseconds(5000));
    conn_ = redis_->Connect();
    store_ =
        std::make_unique<WebhookStore>(pool_.get(), &redis::Scripts::Embedded(), &clock_, &ids_);
    MakeQueue(QueueOptions{.lease_ms = 1000, .max_pending = 1000, .dead_letter_max = 100});
  }

  void MakeQueue(QueueOptions options) {
    queue_ =
        std::make_unique<DeliveryQueue>(pool_.get(), &redis::Scripts::Embedded(), &clock_, options);
  }

  // Appends an event to the tenant's feed; returns its id.
  std::string Emit(const std::string& type, const std::string& ix,
                   const std::vector<std::string>& more = {}) {
    std::vector<std::string> cmd = {
        "XADD", keys_.Events(), "*", "type", type, "at", std::to_string(clock_.NowMs())};
    if (!ix.empty()) cmd.insert(cmd.end(), {"ix", ix});
    cmd.insert(cmd.end(), more.begin(), more.end());
    auto r = conn_->Command(cmd);
    EXPECT_TRUE(r.ok() && !r->is_error()) << (r.ok() ? r->str : r.status().ToString());
    return r.ok() ? r->str : "";
  }

  v1::Webhook Create(const std::string& url, const std::vector<std::string>& types = {},
                     bool disabled = false) {
    v1::Webhook w;
    w.set_url(url);
    for (const auto& t : types) w.add_event_types(t);
    w.set_disabled(disabled);
    auto written = store_->Put(kTenant, w);
    EXPECT_TRUE(written.ok()) << written.status();
    return written.ok() ? written->webhook : v1::Webhook{};
  }

  // Every lease the tenant has due now (at most 100).
  std::vector<Lease> ClaimAll() {
    auto leases = queue_->Claim(kTenant, 100);
    EXPECT_TRUE(leases.ok()) << leases.status();
    return leases.ok() ? *leases : std::vector<Lease>{};
  }

  FanOutResult FanOut() {
    auto r = queue_->FanOut(kTenant);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : FanOutResult{};
  }

  static inline testing::RedisServer* redis_ = nullptr;
  testing::FakeClock clock_;
  RandomIdGenerator ids_;
  TenantKeys keys_{kTenant};
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<redis::Connection> conn_;
  std::unique_ptr<WebhookStore> store_;
  std::unique_ptr<DeliveryQueue> queue_;
};

}  // namespace omniroute::webhooks
