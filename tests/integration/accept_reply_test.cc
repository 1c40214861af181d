// AcceptOffer in one round trip: the accept script returns the interaction hash with its 'ok'
// reply, and RoutingEngine::Accept hands it on (AcceptResult::interaction_fields).
#include <gtest/gtest.h>

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
