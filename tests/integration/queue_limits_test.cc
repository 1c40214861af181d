// Queue limits: maximum size and maximum wait, with overflow to another queue or rejection
// with a reason.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class QueueLimitsTest : public RedisFixture {
 protected:
  void AddLimitedQueue(const std::string& name, int max_waiting, int max_wait_seconds,
                       const std::string& overflow = "") {
    v1::Queue q = MakeQueue(name, {v1::CHANNEL_CHAT});
    q.set_max_waiting(max_waiting);
    q.set_max_wait_seconds(max_wait_seconds);
    q.set_overflow_queue(overflow);
    ASSERT_TRUE(ValidateQueue(q).ok()) << ValidateQueue(q);
    ASSERT_TRUE(engine_->PutQueue(kTenant, q).ok());
  }
  std::string Queue(const std::string& id) { return HGet(keys_.Interaction(id), "queue"); }
};

TEST_F(QueueLimitsTest, AFullQueueRejectsNewWorkWithAReason) {
  AddLimitedQueue("small", 2, 0);
  std::string a = SubmitAndRoute(Chat("a", 0, "small"));
  std::string b = SubmitAndRoute(Chat("b", 0, "small"));
  std::string c = SubmitAndRoute(Chat("c", 0, "small"));
  EXPECT_EQ(State(a), "queued");
  EXPECT_EQ(State(b), "queued");
  EXPECT_EQ(State(c), "rejected");
  EXPECT_EQ(HGet(keys_.Interaction(c), "end_reason"), "queue_full");
  EXPECT_EQ(Int({"ZCARD", keys_.WaitingByAge("small", v1::CHANNEL_CHAT)}), 2);
}

TEST_F(QueueLimitsTest, AFullQueueOverflowsToItsOverflowQueue) {
  AddLimitedQueue("backup", 1, 0);
  AddLimitedQueue("small", 1, 0, "backup");
  std::string a = SubmitAndRoute(Chat("a", 0, "small"));
  std::string b = SubmitAndRoute(Chat("b", 0, "small"));
  std::string c = SubmitAndRoute(Chat("c", 0, "small"));
  EXPECT_EQ(Queue(a), "small");
  EXPECT_EQ(Queue(b), "backup");
  EXPECT_EQ(State(b), "queued");
  EXPECT_EQ(State(c), "rejected");  // the overflow is full too
  auto types = EventTypes(b);
  EXPECT_NE(std::find(types.begin(), types.end(), "overflowed"), types.end());
  // Work in the overflow queue is served by its agents.
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 2}}).ok());
  EXPECT_EQ(OfferedTo(b), "ann");
}

TEST_F(QueueLimitsTest, WorkWaitingTooLongMovesToTheOverflowQueueAndWaitsAgainThere) {
  AddLimitedQueue("backup", 0, 0);
  AddLimitedQueue("front", 0, 30, "backup");
  std::string id = SubmitAndRoute(Chat("hello", 0, "front"));
  clock_.Advance(29999);
  ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  EXPECT_EQ(Queue(id), "front");
  clock_.Advance(1);
  ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  EXPECT_EQ(Queue(id), "backup");
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(HGet(keys_.Interaction(id), "queued_ms"), std::to_string(clock_.NowMs()));
  EXPECT_EQ(Int({"ZCARD", keys_.WaitingByAge("front", v1::CHANNEL_CHAT)}), 0);
  EXPECT_EQ(Int({"ZCARD", keys_.WaitingByAge("backup", v1::CHANNEL_CHAT)}), 1);
}

TEST_F(QueueLimitsTest, WorkWaitingTooLongWithoutOverflowIsRejectedAndCounted) {
  AddLimitedQueue("front", 0, 10);
  std::string id = SubmitAndRoute(Chat("hello", 0, "front"));
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string waiting = SubmitAndRoute(Chat("second", 0, "front"));
  ASSERT_EQ(OfferedTo(id), "ann");
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", id).ok());
  clock_.Advance(10000);
  ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  EXPECT_EQ(State(id), "assigned");  // an answered interaction is not affected
  EXPECT_EQ(State(waiting), "rejected");
  EXPECT_EQ(HGet(keys_.Interaction(waiting), "end_reason"), "max_wait_exceeded");
  EXPECT_EQ(HGet(keys_.QueueStats("front"), "expired"), "1");
}

TEST_F(QueueLimitsTest, LimitsAreValidated) {
  v1::Queue q = MakeQueue("q", {v1::CHANNEL_CHAT});
  q.set_overflow_queue("q");
  EXPECT_NE(ValidateQueue(q).message().find("queue.overflow_queue"), absl::string_view::npos);
  q = MakeQueue("q", {v1::CHANNEL_CHAT});
  q.set_max_wait_seconds(-5);
  EXPECT_NE(ValidateQueue(q).message().find("queue.max_wait_seconds"), absl::string_view::npos);
}

TEST_F(QueueLimitsTest, ANewSkillSignatureIndexesOnlyFreeAgentsWithTheSkill) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}, {{"german", 3}}).ok());
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}, {{"german", 1}}).ok());
  ASSERT_TRUE(Login("cid", {{v1::CHANNEL_CHAT, 1}}).ok());
  ASSERT_TRUE(engine_->SetAgentState(kTenant, {"ann", "away", {}, {}}).ok());
  EXPECT_EQ(*ZScore("{t:acme}:sk:german", "ann"), 3);
  v1::TenantConfig c;
  c.set_default_queue("support");
  auto* rule = c.add_rules();
  rule->set_name("de");
  rule->add_keywords("hallo");
  rule->set_category("german");
  auto* s = rule->add_required_skills();
  s->set_name("german");
  s->set_proficiency(2);
  SetConfig(c);
  std::string id = SubmitAndRoute(Chat("hallo"));
  EXPECT_EQ(State(id), "queued");  // Bob's German is too weak, Ann is away
  std::string sig = HGet(keys_.Interaction(id), "sig");
  ASSERT_NE(sig, "0");
  EXPECT_EQ(Int({"ZCARD", "{t:acme}:qa:support:2:" + sig}), 0);
  ASSERT_TRUE(engine_->SetAgentState(kTenant, {"ann", "available", {}, {}}).ok());
  EXPECT_EQ(OfferedTo(id), "ann");
}

}  // namespace
}  // namespace omniroute
