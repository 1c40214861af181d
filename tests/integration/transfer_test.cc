// Transfers of assigned work to a queue and/or an agent.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class TransferTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("support", {v1::CHANNEL_CHAT});
    AddQueue("billing", {v1::CHANNEL_CHAT}, {{"billing", 1}});
    ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
    clock_.Advance(1000);
  }
  std::string AssignedToAnn() {
    std::string id = SubmitAndRoute(Chat("refund please", 0, "support"));
    EXPECT_EQ(OfferedTo(id), "ann");
    EXPECT_TRUE(engine_->Accept(kTenant, "ann", id).ok());
    return id;
  }
};

TEST_F(TransferTest, ToAQueueAndAnAgentFreesTheSenderAndOffersToTheTarget) {
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 3}}).ok());
  ASSERT_TRUE(Login("cid", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 3}}).ok());
  std::string id = AssignedToAnn();
  clock_.Advance(2000);
  auto r = engine_->Transfer(kTenant, "ann", id, "billing", "cid");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "queued");
  EXPECT_EQ(HGet(keys_.Interaction(id), "queue"), "billing");
  EXPECT_EQ(OfferedTo(id), "cid");  // preferred, although Bob has been idle longer
  EXPECT_EQ(Load("ann", v1::CHANNEL_CHAT), "0");
  EXPECT_EQ(HGet(keys_.QueueStats("support"), "transferred"), "1");
  EXPECT_EQ(HGet(keys_.QueueStats("support"), "inflight"), "0");
  auto types = EventTypes(id);
  EXPECT_NE(std::find(types.begin(), types.end(), "transferred"), types.end());
}

TEST_F(TransferTest, BackToItsQueueItGoesToAnyoneButTheSender) {
  std::string id = AssignedToAnn();
  ASSERT_TRUE(engine_->Transfer(kTenant, "ann", id, "", "").ok());
  // Ann is free, but she handed it back: it waits for someone else.
  EXPECT_EQ(State(id), "queued");
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(OfferedTo(id), "bob");
}

TEST_F(TransferTest, OnlyTheHolderOfAnAssignedInteractionMayTransferIt) {
  std::string id = AssignedToAnn();
  std::string waiting = SubmitAndRoute(Chat("x", 0, "support"));  // Ann is busy
  EXPECT_EQ(engine_->Transfer(kTenant, "bob", id, "billing", "").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine_->Transfer(kTenant, "ann", waiting, "billing", "").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(State(id), "assigned");
}

TEST_F(TransferTest, TheOldQueuesMaxWaitDoesNotFollowTransferredWork) {
  v1::Queue limited = MakeQueue("support", {v1::CHANNEL_CHAT});
  limited.set_max_wait_seconds(30);
  ASSERT_TRUE(engine_->PutQueue(kTenant, limited).ok());
  std::string id = AssignedToAnn();  // answered at once, well within its 30 s
  ASSERT_TRUE(engine_->Transfer(kTenant, "ann", id, "billing", "").ok());
  EXPECT_EQ(State(id), "queued");  // nobody holds billing
  clock_.Advance(31000);
  ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  EXPECT_EQ(State(id), "queued") << "billing has no max wait: "
                                 << HGet(keys_.Interaction(id), "end_reason");
}

}  // namespace
}  // namespace omniroute
