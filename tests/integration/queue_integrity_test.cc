// Queue integrity: default head starts, queue deletion and channel changes never strand work,
// and the oldest wait is the longest-waiting item whatever its priority.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class QueueIntegrityTest : public RedisFixture {};

TEST_F(QueueIntegrityTest, DefaultHeadStartsApplyBeforeAnyTenantConfigIsWritten) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  std::string p4 = SubmitAndRoute(Chat("later please", 4, "support"));
  clock_.Advance(1000);
  std::string p1 = SubmitAndRoute(Chat("urgent", 1, "support"));
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(State(p1), "offered");
  EXPECT_EQ(State(p4), "queued");
  // P1's default head start is 120 s, P4's 0 s.
  EXPECT_EQ(*ZScore(keys_.Waiting("support", v1::CHANNEL_CHAT), p4), clock_.NowMs() - 1000);
}

TEST_F(QueueIntegrityTest, DeleteQueueIsRefusedWhileWorkIsOfferedOrAssigned) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  std::string id = SubmitAndRoute(Chat("hello", 0, "support"));
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  ASSERT_EQ(State(id), "offered");
  EXPECT_EQ(engine_->DeleteQueue(kTenant, "support").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(engine_->Accept(kTenant, "alice", id).ok());
  EXPECT_EQ(engine_->DeleteQueue(kTenant, "support").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(engine_->Complete(kTenant, "alice", id).ok());
  EXPECT_TRUE(engine_->DeleteQueue(kTenant, "support").ok());
  EXPECT_EQ(Int({"EXISTS", keys_.QueueConfig("support"), keys_.QueueStats("support")}), 0);
}

TEST_F(QueueIntegrityTest, RejectedOfferKeepsTheInflightCountBalanced) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  std::string id = SubmitAndRoute(Chat("hello", 0, "support"));
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(HGet(keys_.QueueStats("support"), "inflight"), "1");
  ASSERT_TRUE(engine_->Reject(kTenant, "alice", id, "busy").ok());
  EXPECT_EQ(HGet(keys_.QueueStats("support"), "inflight"), "0");
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(engine_->DeleteQueue(kTenant, "support").code(),
            absl::StatusCode::kFailedPrecondition);  // still waiting
}

TEST_F(QueueIntegrityTest, PutQueueCannotDropAChannelThatStillHasWaitingWork) {
  AddQueue("support", {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL});
  std::string id = SubmitAndRoute(Chat("hello", 0, "support"));
  ASSERT_EQ(State(id), "queued");
  auto r = engine_->PutQueue(kTenant, MakeQueue("support", {v1::CHANNEL_EMAIL}));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("queue.channels"), absl::string_view::npos);
  // Unchanged: the chat channel is still served and the item is routed when an agent comes.
  EXPECT_EQ(HGet(keys_.QueueConfig("support"), "channels"), "2,3");
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(OfferedTo(id), "alice");
  // Dropping a channel with nothing waiting or in flight on the queue is fine.
  ASSERT_TRUE(engine_->Accept(kTenant, "alice", id).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "alice", id).ok());
  EXPECT_TRUE(engine_->PutQueue(kTenant, MakeQueue("support", {v1::CHANNEL_EMAIL})).ok());
}

TEST_F(QueueIntegrityTest, OldestWaitIsTheLongestWaitingItemWhateverItsPriority) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  std::string p4 = SubmitAndRoute(Chat("low", 4, "support"));
  clock_.Advance(1000);
  std::string p1 = SubmitAndRoute(Chat("high", 1, "support"));
  clock_.Advance(9000);
  auto stats = engine_->QueueStats(kTenant, "support");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->waiting(), 2);
  EXPECT_EQ(stats->oldest_wait_ms(), 10000);
  // Once the old P4 is gone the oldest is the P1.
  ASSERT_TRUE(store_->Cancel(kTenant, p4, "test").ok());
  stats = engine_->QueueStats(kTenant, "support");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->oldest_wait_ms(), 9000);
  EXPECT_EQ(Int({"ZCARD", keys_.WaitingByAge("support", v1::CHANNEL_CHAT)}), 1);
  EXPECT_EQ(State(p1), "queued");
}

}  // namespace
}  // namespace omniroute
