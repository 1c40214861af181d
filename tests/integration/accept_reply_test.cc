// AcceptOffer in one round trip: the accept script returns the interaction hash with its 'ok'
// reply, and RoutingEngine::Accept hands it on (AcceptResult::interaction_fields).
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class AcceptReplyTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("support", {v1::CHANNEL_CHAT});
    RouteAllTo("support");
  }
};

TEST_F(AcceptReplyTest, AcceptReturnsTheInteractionAsStoredAfterTheAccept) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string id = SubmitAndRoute(Chat("card blocked"));
  ASSERT_EQ(OfferedTo(id), "alice");
  clock_.Advance(1500);
  auto accepted = engine_->Accept(kTenant, "alice", id);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->queue, "support");
  EXPECT_EQ(accepted->wait_ms, 1500);

  // Exactly the hash a later HGETALL reads, field for field.
  std::map<std::string, std::string> returned, stored;
  ASSERT_EQ(accepted->interaction_fields.size() % 2, 0u);
  for (size_t i = 0; i + 1 < accepted->interaction_fields.size(); i += 2) {
    returned[accepted->interaction_fields[i]] = accepted->interaction_fields[i + 1];
  }
  auto all = redis::ReplyStrings(Cmd({"HGETALL", keys_.Interaction(id)}));
  for (size_t i = 0; i + 1 < all.size(); i += 2) stored[all[i]] = all[i + 1];
  EXPECT_EQ(returned, stored);
  EXPECT_EQ(returned["state"], "assigned");

  v1::Interaction ix = InteractionFromHash(kTenant, accepted->interaction_fields);
  EXPECT_EQ(ix.interaction_id(), id);
  EXPECT_EQ(ix.state(), v1::INTERACTION_STATE_ASSIGNED);
  EXPECT_EQ(ix.agent_id(), "alice");
  EXPECT_EQ(ix.subject(), "card blocked");
}

}  // namespace
}  // namespace omniroute

namespace omniroute {
namespace {

// A client that retries AcceptOffer or CompleteInteraction after a timeout, when the first
// attempt did succeed, gets the first answer again and changes nothing: no second count, event
// or capacity release; so a retry cannot strand work or free a slot twice.
TEST_F(AcceptReplyTest, RetriedAcceptAndCompleteAnswerAsTheFirstAndChangeNothing) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 2}}).ok());
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string id = SubmitAndRoute(Chat("card blocked"));
  std::string agent = OfferedTo(id);
  ASSERT_FALSE(agent.empty());
  std::string other = agent == "alice" ? "bob" : "alice";
  clock_.Advance(1500);
  auto first = engine_->Accept(kTenant, agent, id);
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(700);
  auto again = engine_->Accept(kTenant, agent, id);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->wait_ms, first->wait_ms);
  EXPECT_EQ(again->queue, first->queue);
  EXPECT_EQ(engine_->Accept(kTenant, other, id).status().code(),
            absl::StatusCode::kFailedPrecondition);  // another agent is still refused
  EXPECT_EQ(Cmd({"HGET", keys_.QueueStats("support"), "answered"}).str, "1");
  EXPECT_EQ(Load(agent, v1::CHANNEL_CHAT), "1");

  clock_.Advance(4000);
  auto done = engine_->Complete(kTenant, agent, id);
  ASSERT_TRUE(done.ok()) << done.status();
  clock_.Advance(900);
  auto done_again = engine_->Complete(kTenant, agent, id);
  ASSERT_TRUE(done_again.ok()) << done_again.status();
  EXPECT_EQ(done_again->handle_ms, done->handle_ms);
  EXPECT_EQ(done_again->queue, done->queue);
  EXPECT_EQ(done_again->deflected, done->deflected);
  EXPECT_EQ(engine_->Complete(kTenant, other, id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Cmd({"HGET", keys_.QueueStats("support"), "completed"}).str, "1");
  EXPECT_EQ(Load(agent, v1::CHANNEL_CHAT), "0");  // released once, not below zero
  auto types = EventTypes(id);
  EXPECT_EQ(std::count(types.begin(), types.end(), "accepted"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "completed"), 1);
}

}  // namespace
}  // namespace omniroute
