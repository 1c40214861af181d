// Explicit re-prioritisation of interactions at each stage of their life.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class ReprioritizeTest : public RedisFixture {};

TEST_F(ReprioritizeTest, AWaitingInteractionRaisedToP1IsOfferedFirstAndKeepsItsAge) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  std::string a = SubmitAndRoute(Chat("first", 3, "support"));
  clock_.Advance(1000);
  std::string b = SubmitAndRoute(Chat("second", 3, "support"));
  clock_.Advance(1000);
  std::string c = SubmitAndRoute(Chat("third", 3, "support"));
  int64_t c_queued = clock_.NowMs();
  clock_.Advance(5000);

  auto previous = engine_->SetPriority(kTenant, c, 1);
  ASSERT_TRUE(previous.ok()) << previous.status();
  EXPECT_EQ(*previous, 3);
  EXPECT_EQ(*ZScore(keys_.Waiting("support", v1::CHANNEL_CHAT), c), c_queued - 120000);
  EXPECT_EQ(HGet(keys_.Interaction(c), "priority"), "1");

  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(OfferedTo(c), "ann");
  EXPECT_EQ(State(a), "queued");
  EXPECT_EQ(State(b), "queued");
  auto types = EventTypes(c);
  EXPECT_NE(std::find(types.begin(), types.end(), "reprioritized"), types.end());
}

TEST_F(ReprioritizeTest, LoweringAPriorityLetsOlderWorkOfTheSameLevelGoFirst) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  std::string urgent = SubmitAndRoute(Chat("urgent", 1, "support"));
  clock_.Advance(1000);
  std::string normal = SubmitAndRoute(Chat("normal", 3, "support"));
  ASSERT_TRUE(engine_->SetPriority(kTenant, urgent, 4).ok());
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
  // P3 has a 30 s head start over P4, more than the 1 s between them.
  EXPECT_EQ(OfferedTo(normal), "ann");
  EXPECT_EQ(State(urgent), "queued");
}

TEST_F(ReprioritizeTest, APriorityGivenBeforeClassificationOverridesTheRules) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  RouteAllTo("support");
  std::string id = Submit(Chat("hello"));
  ASSERT_EQ(State(id), "received");
  ASSERT_TRUE(engine_->SetPriority(kTenant, id, 2).ok());
  Pump();
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(HGet(keys_.Interaction(id), "priority"), "2");
}

TEST_F(ReprioritizeTest, EndedOrUnknownInteractionsCannotBeReprioritized) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  std::string id = SubmitAndRoute(Chat("bye", 3, "support"));
  ASSERT_TRUE(store_->Cancel(kTenant, id, "test").ok());
  EXPECT_EQ(engine_->SetPriority(kTenant, id, 1).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine_->SetPriority(kTenant, std::string(32, 'b'), 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(HGet(keys_.Interaction(id), "priority"), "3");
}

}  // namespace
}  // namespace omniroute
