// GetAgent's work: found at read time in the agent's offer stream (routing/agent_view.lua),
// with nothing written for it on the path of an interaction: offered, assigned and wrap-up
// work, oldest offer first, each once, also behind many later offers.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class AgentViewTest : public RedisFixture {
 protected:
  void AddChatQueue(int wrap_up_seconds) {
    v1::Queue q = MakeQueue("chat", {v1::CHANNEL_CHAT});
    q.set_wrap_up_seconds(wrap_up_seconds);
    ASSERT_TRUE(ValidateQueue(q).ok());
    ASSERT_TRUE(engine_->PutQueue(kTenant, q).ok());
    RouteAllTo("chat");
  }

  // ann's work as "<id> <state>[ wrap-up] <since>" strings, in the view's order.
  std::vector<std::string> Work(const std::string& agent = "ann") {
    auto view = engine_->GetAgent(kTenant, agent);
    EXPECT_TRUE(view.ok()) << view.status();
    std::vector<std::string> out;
    if (!view.ok()) return out;
    for (const auto& w : view->work()) {
      out.push_back(w.interaction_id() + " " + v1::InteractionState_Name(w.state()) +
                    (w.wrap_up() ? " wrap-up " : " ") + std::to_string(w.since_ms()));
    }
    return out;
  }

  std::string Held(const std::string& id, const std::string& state, const std::string& field,
                   bool wrap_up = false) {
    return id + " INTERACTION_STATE_" + state + (wrap_up ? " wrap-up " : " ") +
           HGet(keys_.Interaction(id), field);
  }
};

TEST_F(AgentViewTest, OfferedAssignedAndWrapUpWorkShowUntilItsSlotIsFreed) {
  AddChatQueue(10);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 3}}).ok());
  std::string a = SubmitAndRoute(Chat("a"));
  ASSERT_EQ(OfferedTo(a), "ann");
  clock_.Advance(1000);
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", a).ok());
  std::string b = SubmitAndRoute(Chat("b"));
  clock_.Advance(1000);
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", b).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(engine_->Complete(kTenant, "ann", b).ok());
  std::string c = SubmitAndRoute(Chat("c"));
  ASSERT_EQ(OfferedTo(c), "ann");
  EXPECT_EQ(Load("ann", v1::CHANNEL_CHAT), "3");
  EXPECT_EQ(Work(), (std::vector<std::string>{Held(a, "ASSIGNED", "assigned_ms"),
                                              Held(b, "COMPLETED", "ended_ms", true),
                                              Held(c, "OFFERED", "offered_ms")}));

  // The wrap-up ends: b stays completed (and ann's) but no longer holds a slot.
  clock_.Advance(10000);
  ASSERT_EQ(*engine_->EndWrapUps({kTenant}), 1);
  EXPECT_EQ(State(b), "completed");
  EXPECT_EQ(OfferedTo(b), "ann");
  EXPECT_EQ(Work(), (std::vector<std::string>{Held(a, "ASSIGNED", "assigned_ms"),
                                              Held(c, "OFFERED", "offered_ms")}));
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", c).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "ann", a).ok());
  clock_.Advance(10000);
  ASSERT_EQ(*engine_->EndWrapUps({kTenant}), 1);
  EXPECT_EQ(Work(), (std::vector<std::string>{Held(c, "ASSIGNED", "assigned_ms")}));
}

TEST_F(AgentViewTest, OldWorkIsFoundBehindManyLaterOffersAndReofferedWorkShowsOnce) {
  AddChatQueue(0);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 2}}).ok());
  std::string a = SubmitAndRoute(Chat("a"));
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", a).ok());
  // 120 offers after a's (more than two of the script's pages), each finished at once.
  for (int i = 0; i < 120; ++i) {
    std::string x = SubmitAndRoute(Chat("x"));
    ASSERT_EQ(OfferedTo(x), "ann");
    ASSERT_TRUE(engine_->Accept(kTenant, "ann", x).ok());
    ASSERT_TRUE(engine_->Complete(kTenant, "ann", x).ok());
  }
  EXPECT_EQ(Work(), (std::vector<std::string>{Held(a, "ASSIGNED", "assigned_ms")}));

  // y is offered, withdrawn when ann goes away, and offered again when she is back.
  std::string y = SubmitAndRoute(Chat("y"));
  ASSERT_EQ(OfferedTo(y), "ann");
  ASSERT_TRUE(engine_->SetAgentState(kTenant, {"ann", "away", {}, {}}).ok());
  EXPECT_EQ(State(y), "queued");
  EXPECT_EQ(Work(), (std::vector<std::string>{Held(a, "ASSIGNED", "assigned_ms")}));
  clock_.Advance(1000);
  ASSERT_TRUE(engine_->SetAgentState(kTenant, {"ann", "available", {}, {}}).ok());
  ASSERT_EQ(OfferedTo(y), "ann");
  ASSERT_EQ(State(y), "offered");
  EXPECT_EQ(Work(), (std::vector<std::string>{Held(a, "ASSIGNED", "assigned_ms"),
                                              Held(y, "OFFERED", "offered_ms")}));
  EXPECT_EQ(Load("ann", v1::CHANNEL_CHAT), "2");
}

}  // namespace
}  // namespace omniroute
