// Agent-selection strategies and explainable decisions against a real Redis, time driven by
// the fake clock.
#include <gtest/gtest.h>

#include <map>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class StrategiesTest : public RedisFixture {
 protected:
  void AddStrategyQueue(v1::Strategy strategy, const std::map<std::string, int>& skills = {}) {
    v1::Queue q = MakeQueue("support", {v1::CHANNEL_CHAT}, skills);
    q.set_strategy(strategy);
    ASSERT_TRUE(ValidateQueue(q).ok());
    ASSERT_TRUE(engine_->PutQueue(kTenant, q).ok());
  }

  // Submits `n` chats (one per clock tick) and returns who each was offered to, in order.
  std::vector<std::string> OfferMany(int n) {
    std::vector<std::string> to;
    for (int i = 0; i < n; ++i) {
      clock_.Advance(10);
      std::string id = SubmitAndRoute(Chat("hello " + std::to_string(i), 0, "support"));
      to.push_back(OfferedTo(id));
    }
    return to;
  }
};

TEST_F(StrategiesTest, LongestIdlePrefersAgentsHoldingNothingThenTheLeastRecentlyOffered) {
  AddStrategyQueue(v1::STRATEGY_LONGEST_IDLE);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 3}}).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 3}}).ok());
  clock_.Advance(1000);
  // Ann has been idle longest, then Bob; then both hold one chat and Ann was offered first.
  EXPECT_EQ(OfferMany(6), (std::vector<std::string>{"ann", "bob", "ann", "bob", "ann", "bob"}));
}

TEST_F(StrategiesTest, LongestIdleRanksAFreedAgentByWhenItBecameIdle) {
  AddStrategyQueue(v1::STRATEGY_LONGEST_IDLE);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}).ok());
  clock_.Advance(10);
  std::string for_ann = SubmitAndRoute(Chat("one", 0, "support"));
  std::string for_bob = SubmitAndRoute(Chat("two", 0, "support"));
  ASSERT_EQ(OfferedTo(for_ann), "ann");
  ASSERT_EQ(OfferedTo(for_bob), "bob");
  // Bob finishes first, so he has been idle longer than Ann when the next chat arrives.
  ASSERT_TRUE(engine_->Accept(kTenant, "bob", for_bob).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "bob", for_bob).ok());
  clock_.Advance(500);
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", for_ann).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "ann", for_ann).ok());
  clock_.Advance(500);
  EXPECT_EQ(OfferMany(1), std::vector<std::string>{"bob"});
}

TEST_F(StrategiesTest, MostFreeCapacityFillsTheRoomiestAgentFirst) {
  AddStrategyQueue(v1::STRATEGY_MOST_FREE_CAPACITY);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 5}}).ok());
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 2}}).ok());
  // Ann 5,4,3 free; at 2 each Bob (never offered) wins the tie; then Ann 2 vs Bob 1.
  EXPECT_EQ(OfferMany(5), (std::vector<std::string>{"ann", "ann", "ann", "bob", "ann"}));
}

TEST_F(StrategiesTest, RoundRobinTakesTurnsWhateverAgentsHold) {
  AddStrategyQueue(v1::STRATEGY_ROUND_ROBIN);
  for (const char* a : {"ann", "bob", "cid"}) {
    ASSERT_TRUE(Login(a, {{v1::CHANNEL_CHAT, 5}}).ok());
    clock_.Advance(100);
  }
  auto to = OfferMany(9);
  EXPECT_EQ(to, (std::vector<std::string>{"ann", "bob", "cid", "ann", "bob", "cid", "ann", "bob",
                                          "cid"}));
}

TEST_F(StrategiesTest, BestProficiencyWinsThenLongestIdle) {
  AddStrategyQueue(v1::STRATEGY_BEST_PROFICIENCY, {{"billing", 1}});
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 2}}).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 5}}).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Login("cat", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 5}}).ok());
  // Bob and Cat are the experts (Bob idle longer); Ann gets work only when both are full.
  EXPECT_EQ(OfferMany(3), (std::vector<std::string>{"bob", "cat", "ann"}));
}

TEST_F(StrategiesTest, NoAgentIsStarvedOrFloodedOverManyCycles) {
  for (v1::Strategy s : {v1::STRATEGY_LONGEST_IDLE, v1::STRATEGY_MOST_FREE_CAPACITY,
                         v1::STRATEGY_ROUND_ROBIN, v1::STRATEGY_BEST_PROFICIENCY}) {
    SCOPED_TRACE(v1::Strategy_Name(s));
    redis_->FlushAll();
    ASSERT_TRUE(CreateApiKey(*conn_, kTenant, {Role::kAdmin}, "fixture").ok());
    AddStrategyQueue(s);
    for (const char* a : {"ann", "bob", "cid", "dan"}) {
      ASSERT_TRUE(Login(a, {{v1::CHANNEL_CHAT, 2}}).ok());
      clock_.Advance(7);
    }
    std::map<std::string, int> served;
    for (int i = 0; i < 40; ++i) {
      clock_.Advance(50);
      std::string id = SubmitAndRoute(Chat("cycle", 0, "support"));
      std::string agent = OfferedTo(id);
      ASSERT_FALSE(agent.empty());
      ++served[agent];
      ASSERT_TRUE(engine_->Accept(kTenant, agent, id).ok());
      clock_.Advance(30);
      ASSERT_TRUE(engine_->Complete(kTenant, agent, id).ok());
    }
    ASSERT_EQ(served.size(), 4u);
    for (const auto& [agent, n] : served) EXPECT_EQ(n, 10) << agent;
  }
}

TEST_F(StrategiesTest, ExplainRoutingShowsCandidatesFiltersAndTheChoice) {
  AddStrategyQueue(v1::STRATEGY_LONGEST_IDLE);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string id = SubmitAndRoute(Chat("help", 2, "support"));
  ASSERT_EQ(OfferedTo(id), "ann");
  clock_.Advance(100);
  ASSERT_TRUE(engine_->Reject(kTenant, "ann", id, "busy").ok());
  ASSERT_EQ(OfferedTo(id), "bob");

  auto ex = engine_->Explain(kTenant, id);
  ASSERT_TRUE(ex.ok()) << ex.status();
  ASSERT_EQ(ex->decisions_size(), 2);
  const auto& first = ex->decisions(0);
  EXPECT_EQ(first.trigger(), "enqueue");
  EXPECT_EQ(first.queue(), "support");
  EXPECT_EQ(first.channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(first.strategy(), "longest_idle");
  EXPECT_EQ(first.chosen_agent_id(), "ann");
  EXPECT_EQ(first.eligible_free_agents(), 2);
  ASSERT_EQ(first.candidates_size(), 2);
  EXPECT_EQ(first.candidates(0).agent_id(), "ann");
  EXPECT_LT(first.candidates(0).score(), first.candidates(1).score());
  // P2 has a 60 s head start.
  EXPECT_EQ(first.item_score(), static_cast<double>(clock_.NowMs() - 100 - 60000));

  const auto& second = ex->decisions(1);
  EXPECT_EQ(second.trigger(), "reject");
  EXPECT_EQ(second.chosen_agent_id(), "bob");
  // Ann is free again (and idle since the reject, so ranked after Bob) but filtered out: she
  // declined this interaction.
  ASSERT_EQ(second.candidates_size(), 2);
  EXPECT_EQ(second.candidates(0).agent_id(), "bob");
  EXPECT_EQ(second.candidates(0).excluded(), "");
  EXPECT_EQ(second.candidates(1).agent_id(), "ann");
  EXPECT_EQ(second.candidates(1).excluded(),
            "declined_until:" + std::to_string(clock_.NowMs() + routing_options_.skip_ms));
}

TEST_F(StrategiesTest, ExplainRoutingOfAnUnknownInteractionIsNotFound) {
  EXPECT_EQ(engine_->Explain(kTenant, std::string(32, 'a')).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace omniroute
