// After-call work: completed work keeps its capacity held until the wrap-up timer fires.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class WrapUpTest : public RedisFixture {
 protected:
  void AddWrapUpQueue(int wrap_up_seconds) {
    v1::Queue q = MakeQueue("voice", {v1::CHANNEL_VOICE});
    q.set_wrap_up_seconds(wrap_up_seconds);
    ASSERT_TRUE(ValidateQueue(q).ok());
    ASSERT_TRUE(engine_->PutQueue(kTenant, q).ok());
  }
  static intake::Submission Call() {
    intake::Submission s;
    s.channel = v1::CHANNEL_VOICE;
    s.queue = "voice";
    return s;
  }
};

TEST_F(WrapUpTest, TheAgentGetsNoNewWorkUntilTheWrapUpTimerFires) {
  AddWrapUpQueue(10);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_VOICE, 1}}).ok());
  std::string first = SubmitAndRoute(Call());
  std::string second = SubmitAndRoute(Call());
  ASSERT_EQ(OfferedTo(first), "ann");
  clock_.Advance(1500);
  auto accepted = engine_->Accept(kTenant, "ann", first);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  // What the service's wait, SLA, handle and wrap-up metrics observe.
  EXPECT_EQ(accepted->wait_ms, 1500);
  EXPECT_EQ(accepted->queue, "voice");
  EXPECT_EQ(accepted->sla_threshold_ms, 1000LL * MakeQueue("voice", {}).sla_threshold_seconds());
  clock_.Advance(42000);
  auto completed = engine_->Complete(kTenant, "ann", first);
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_EQ(completed->handle_ms, 42000);
  EXPECT_EQ(completed->wrap_up_ms, 10000);
  EXPECT_EQ(completed->queue, "voice");
  EXPECT_FALSE(completed->deflected);
  // The first handle time sets the queue's average handle time (the estimated wait uses it).
  EXPECT_EQ(HGet(keys_.QueueStats("voice"), "aht_ms"), "42000.0");
  EXPECT_EQ(State(first), "completed");
  EXPECT_EQ(State(second), "queued");
  EXPECT_EQ(Load("ann", v1::CHANNEL_VOICE), "1");

  clock_.Advance(9999);
  ASSERT_TRUE(engine_->EndWrapUps({kTenant}).ok());
  EXPECT_EQ(State(second), "queued");

  clock_.Advance(1);
  auto ended = engine_->EndWrapUps({kTenant});
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(*ended, 1);
  EXPECT_EQ(OfferedTo(second), "ann");
  EXPECT_EQ(State(second), "offered");
  EXPECT_EQ(Load("ann", v1::CHANNEL_VOICE), "1");  // now held by the new offer
  // A second firing (another replica) finds nothing to do.
  EXPECT_EQ(*engine_->EndWrapUps({kTenant}), 0);
  auto types = EventTypes(first);
  EXPECT_NE(std::find(types.begin(), types.end(), "wrap_up_started"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "wrap_up_ended"), types.end());
}

TEST_F(WrapUpTest, WithoutWrapUpCompletionFreesCapacityAtOnce) {
  AddWrapUpQueue(0);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_VOICE, 1}}).ok());
  std::string first = SubmitAndRoute(Call());
  std::string second = SubmitAndRoute(Call());
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", first).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "ann", first).ok());
  EXPECT_EQ(OfferedTo(second), "ann");
  EXPECT_EQ(Int({"ZCARD", keys_.WrapUps()}), 0);
}

TEST_F(WrapUpTest, WrapUpLongerThanAnHourIsRejected) {
  v1::Queue q = MakeQueue("voice", {v1::CHANNEL_VOICE});
  q.set_wrap_up_seconds(3601);
  auto st = ValidateQueue(q);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("queue.wrap_up_seconds"), absl::string_view::npos);
}

}  // namespace
}  // namespace omniroute
