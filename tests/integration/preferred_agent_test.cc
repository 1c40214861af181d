// Preferred agent: the named agent, or the customer's last agent, gets the first chance for
// the queue's bounded time, then everyone does.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class PreferredAgentTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddPreferredQueue(0);  // default wait: 20 s
    ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
    clock_.Advance(1000);
    ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}).ok());
    clock_.Advance(1000);
  }
  void AddPreferredQueue(int seconds) {
    v1::Queue q = MakeQueue("support", {v1::CHANNEL_CHAT});
    q.set_preferred_agent_seconds(seconds);
    ASSERT_TRUE(ValidateQueue(q).ok());
    ASSERT_TRUE(engine_->PutQueue(kTenant, q).ok());
  }
  static intake::Submission For(const std::string& agent, const std::string& customer = "") {
    intake::Submission s = Chat("hello", 0, "support");
    s.preferred_agent_id = agent;
    s.customer_id = customer;
    return s;
  }
  void Finish(const std::string& agent, const std::string& id) {
    ASSERT_TRUE(engine_->Accept(kTenant, agent, id).ok());
    ASSERT_TRUE(engine_->Complete(kTenant, agent, id).ok());
  }
};

TEST_F(PreferredAgentTest, AFreePreferredAgentGetsTheOfferAheadOfLongerIdleAgents) {
  std::string id = SubmitAndRoute(For("bob"));
  EXPECT_EQ(OfferedTo(id), "bob");  // Ann has been idle longer
  auto ex = engine_->Explain(kTenant, id);
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->decisions_size(), 1);
  EXPECT_EQ(ex->decisions(0).trigger(), "preferred_agent");
}

TEST_F(PreferredAgentTest, WorkWaitsForABusyPreferredAgentAndGoesToItWhenItFrees) {
  std::string busy = SubmitAndRoute(For("bob"));
  ASSERT_EQ(OfferedTo(busy), "bob");
  std::string id = SubmitAndRoute(For("bob"));
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(HGet(keys_.Interaction(id), "reserved"), "bob");
  EXPECT_EQ(Load("ann", v1::CHANNEL_CHAT), "0");  // Ann is free but not offered it
  auto stats = engine_->QueueStats(kTenant, "support");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->waiting(), 1);

  clock_.Advance(5000);
  Finish("bob", busy);
  EXPECT_EQ(OfferedTo(id), "bob");
  EXPECT_EQ(HGet(keys_.Interaction(id), "reserved"), "");
  EXPECT_EQ(Int({"ZCARD", "{t:acme}:pref:bob"}), 0);
  EXPECT_EQ(Int({"ZCARD", "{t:acme}:preft"}), 0);
}

TEST_F(PreferredAgentTest, WhenTheWaitRunsOutAnyAgentMayTakeIt) {
  std::string busy = SubmitAndRoute(For("bob"));
  ASSERT_TRUE(engine_->Accept(kTenant, "bob", busy).ok());  // Bob stays busy
  std::string id = SubmitAndRoute(For("bob"));
  clock_.Advance(19999);
  ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(Load("ann", v1::CHANNEL_CHAT), "0");
  clock_.Advance(1);
  ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  EXPECT_EQ(OfferedTo(id), "ann");
  auto types = EventTypes(id);
  EXPECT_NE(std::find(types.begin(), types.end(), "reservation_expired"), types.end());
}

TEST_F(PreferredAgentTest, TheCustomersLastAgentIsPreferred) {
  std::string first = SubmitAndRoute(For("", "cust-7"));
  ASSERT_EQ(OfferedTo(first), "ann");  // longest idle
  clock_.Advance(100);
  Finish("ann", first);
  EXPECT_EQ(HGet("{t:acme}:cust:cust-7", "agent"), "ann");
  clock_.Advance(100);
  // Bob is idle longer now, but Ann served this customer last.
  std::string second = SubmitAndRoute(For("", "cust-7"));
  EXPECT_EQ(OfferedTo(second), "ann");
  std::string other = SubmitAndRoute(For("", "cust-8"));
  EXPECT_EQ(OfferedTo(other), "bob");
}

TEST_F(PreferredAgentTest, AnOfflinePreferredAgentIsNotWaitedFor) {
  ASSERT_TRUE(engine_->SetAgentState(kTenant, {"bob", "offline", {}, {}}).ok());
  std::string id = SubmitAndRoute(For("bob"));
  EXPECT_EQ(OfferedTo(id), "ann");
}

TEST_F(PreferredAgentTest, CancelingReservedWorkClearsTheReservation) {
  std::string busy = SubmitAndRoute(For("bob"));
  std::string id = SubmitAndRoute(For("bob"));
  ASSERT_EQ(HGet(keys_.Interaction(id), "reserved"), "bob");
  ASSERT_TRUE(store_->Cancel(kTenant, id, "hung up").ok());
  EXPECT_EQ(State(id), "canceled");
  EXPECT_EQ(Int({"ZCARD", "{t:acme}:pref:bob"}), 0);
  EXPECT_EQ(Int({"ZCARD", "{t:acme}:preft"}), 0);
  EXPECT_EQ(Int({"ZCARD", keys_.WaitingByAge("support", v1::CHANNEL_CHAT)}), 0);
  Finish("bob", busy);
  EXPECT_EQ(Load("bob", v1::CHANNEL_CHAT), "0");
}

TEST_F(PreferredAgentTest, WithoutAWaitABusyPreferredAgentIsSkipped) {
  AddPreferredQueue(-1);
  std::string busy = SubmitAndRoute(For("bob"));
  ASSERT_EQ(OfferedTo(busy), "bob");
  std::string id = SubmitAndRoute(For("bob"));
  EXPECT_EQ(OfferedTo(id), "ann");
}

}  // namespace
}  // namespace omniroute
