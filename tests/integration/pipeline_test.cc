// The whole pipeline in one process against a real redis-server: intake store -> intake
// stream -> classifier -> classified stream -> routing engine -> offer -> accept -> complete.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class PipelineTest : public RedisFixture {};

TEST_F(PipelineTest, SubmitClassifyQueueOfferAcceptComplete) {
  AddQueue("chat", {v1::CHANNEL_CHAT});
  v1::TenantConfig cfg;
  (*cfg.mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = "chat";
  SetConfig(cfg);

  std::string id = SubmitAndRoute(Chat("hello"));
  EXPECT_EQ(State(id), "queued");

  auto queues = Login("alice", {{v1::CHANNEL_CHAT, 2}});
  ASSERT_TRUE(queues.ok()) << queues.status();
  EXPECT_EQ(*queues, std::vector<std::string>{"chat"});
  EXPECT_EQ(State(id), "offered");
  EXPECT_EQ(OfferedTo(id), "alice");

  clock_.Advance(3000);
  auto accepted = engine_->Accept(kTenant, "alice", id);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->wait_ms, 3000);
  ASSERT_TRUE(engine_->Complete(kTenant, "alice", id).ok());
  EXPECT_EQ(State(id), "completed");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "0");
  auto stats = engine_->QueueStats(kTenant, "chat");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->answered(), 1);
  EXPECT_EQ(stats->answered_within_sla(), 1);  // 3 s against the default 20 s threshold
  EXPECT_EQ(stats->completed(), 1);
}

// Rules on customer fields: the classifier reads the stored profile of the interaction's
// customer (only for tenants whose rules look at customers).
TEST_F(PipelineTest, ARuleOnCustomerFieldsSeesTheStoredProfile) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  AddQueue("retention", {v1::CHANNEL_CHAT});
  v1::TenantConfig c;
  c.set_default_queue("support");
  auto* r = c.add_rules();
  r->set_name("renewing-gold");
  r->set_category("retention");
  r->set_queue("retention");
  r->set_priority(v1::PRIORITY_P1);
  r->mutable_customer()->add_tiers("gold");
  r->mutable_customer()->set_renewal_within_days(30);
  SetConfig(c);
  v1::Customer gold;
  gold.set_customer_id("cust-gold");
  gold.set_tier("gold");
  gold.set_annual_value(90000);
  gold.set_renewal_date_ms(clock_.NowMs() + 5LL * 86400 * 1000);
  ASSERT_TRUE(store_->UpsertCustomer(kTenant, gold).ok());
  v1::Customer later = gold;
  later.set_customer_id("cust-later");
  later.set_renewal_date_ms(clock_.NowMs() + 90LL * 86400 * 1000);
  ASSERT_TRUE(store_->UpsertCustomer(kTenant, later).ok());
  auto submit = [&](const std::string& customer) {
    intake::Submission s = Chat("question about my contract");
    s.customer_id = customer;
    return SubmitAndRoute(s);
  };
  std::string a = submit("cust-gold");
  std::string b = submit("cust-later");
  std::string d = submit("cust-unknown");
  std::string e = submit("");
  EXPECT_EQ(HGet(keys_.Interaction(a), "rule"), "renewing-gold");
  EXPECT_EQ(HGet(keys_.Interaction(a), "queue"), "retention");
  EXPECT_EQ(HGet(keys_.Interaction(a), "priority"), "1");
  for (const auto& id : {b, d, e}) {
    EXPECT_EQ(HGet(keys_.Interaction(id), "queue"), "support") << id;
    EXPECT_EQ(HGet(keys_.Interaction(id), "rule"), "") << id;
  }
}

}  // namespace
}  // namespace omniroute
