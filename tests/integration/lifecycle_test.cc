// Whole life cycles through the real scripts: the tenant event feed, and recovery from a Redis
// that lost its script cache (restart, fail-over).
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class LifecycleTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("support", {v1::CHANNEL_CHAT}, {}, /*offer_timeout_seconds=*/10);
    RouteAllTo("support");
  }
  // Drops the loaded scripts (the Functions library) as a restarted Redis would have.
  void FlushScripts() { ASSERT_EQ(Cmd({"FUNCTION", "FLUSH"}).str, "OK"); }
};

TEST_F(LifecycleTest, EventFeedRecordsEveryTransitionInOrder) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string other = SubmitAndRoute(Chat("someone else"));  // its events must not mix in
  ASSERT_TRUE(engine_->Accept(kTenant, "alice", other).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "alice", other).ok());

  clock_.Advance(1000);
  std::string id = SubmitAndRoute(Chat("hello"));
  clock_.Advance(2000);
  ASSERT_TRUE(engine_->Accept(kTenant, "alice", id).ok());
  clock_.Advance(3000);
  ASSERT_TRUE(engine_->Complete(kTenant, "alice", id).ok());

  std::vector<Entry> events;
  for (auto& e : XRange(keys_.Events())) {
    if (e["ix"] == id) events.push_back(e);
  }
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"submitted", "classified", "queued", "offered",
                                             "accepted", "completed"}));
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[2]["queue"], "support");
  EXPECT_EQ(events[3]["agent"], "alice");
  EXPECT_EQ(events[4]["wait_ms"], "2000");
  EXPECT_EQ(events[5]["agent"], "alice");
  EXPECT_EQ(events[5]["at"], std::to_string(clock_.NowMs()));
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_LE(std::stoll(events[i - 1]["at"]), std::stoll(events[i]["at"]));
  }
  auto ix = store_->Get(kTenant, id);
  ASSERT_TRUE(ix.ok());
  EXPECT_EQ(ix->state(), v1::INTERACTION_STATE_COMPLETED);
  EXPECT_EQ(ix->agent_id(), "alice");
  EXPECT_EQ(ix->ended_at_ms(), clock_.NowMs());
}

TEST_F(LifecycleTest, EveryPathReloadsScriptsAfterScriptFlush) {
  FlushScripts();
  std::string id = Submit(Chat("hello"));  // intake pipeline
  ASSERT_FALSE(id.empty());
  FlushScripts();
  Pump();  // classify and enqueue pipelines
  EXPECT_EQ(State(id), "queued");
  FlushScripts();
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());  // single FCALL
  EXPECT_EQ(OfferedTo(id), "alice");
  FlushScripts();
  clock_.Advance(10000);
  auto fired = engine_->ExpireOffers({kTenant});  // per-tenant pipeline
  ASSERT_TRUE(fired.ok()) << fired.status();
  EXPECT_EQ(*fired, 1);
  EXPECT_EQ(State(id), "queued");
  FlushScripts();
  auto canceled = store_->Cancel(kTenant, id, "gone");
  ASSERT_TRUE(canceled.ok()) << canceled.status();
  EXPECT_EQ(State(id), "canceled");
  EXPECT_EQ(EventTypes(id), (std::vector<std::string>{"submitted", "classified", "queued",
                                                      "offered", "offer_timeout", "canceled"}));
}

}  // namespace
}  // namespace omniroute
