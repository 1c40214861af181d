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

}  // namespace
}  // namespace omniroute
