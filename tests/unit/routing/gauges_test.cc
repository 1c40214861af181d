// The arithmetic of the shared-state gauges: agents by state, capacity slots, staffed agents per
// queue, the abandonment rate behind the estimated wait, and XINFO GROUPS parsing.
#include "services/routing/gauges.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "services/routing/abandon_rate.h"
#include "services/routing/routing_metrics.h"

namespace omniroute::routing {
namespace {

AgentRow Agent(std::vector<std::string> fields, std::vector<std::string> queues = {}) {
  return {std::move(fields), std::move(queues)};
}

TEST(TallyAgentsTest, CountsStatesAndSlotsOfAvailableAgentsOnly) {
  auto t = TallyAgents({
      Agent({"state", "available", "cap:1", "1", "load:1", "1", "cap:2", "3", "load:2", "1"},
            {"billing", "support"}),
      Agent({"state", "available", "cap:2", "2", "load:2", "0"}, {"support"}),
      Agent({"state", "away", "cap:2", "5", "load:2", "1"}, {"support"}),
      Agent({"state", "offline", "cap:1", "1"}, {"billing"}),
      Agent({"cap:1", "1"}),  // never signed in
  });
  EXPECT_EQ(t.by_state.at("busy"), 1);
  EXPECT_EQ(t.by_state.at("idle"), 1);
  EXPECT_EQ(t.by_state.at("away"), 1);
  EXPECT_EQ(t.by_state.at("offline"), 2);
  // Only signed-in, ready agents count towards capacity and occupancy.
  EXPECT_EQ(t.capacity_slots, 6);
  EXPECT_EQ(t.busy_slots, 2);
  EXPECT_EQ(t.staffed_by_queue.at("support"), 2);
  EXPECT_EQ(t.staffed_by_queue.at("billing"), 1);
}

// Occupancy counts slots that cannot take work: with every agent busy it is 100 %, however
// many chat and email slots sit behind a voice call.
TEST(TallyAgentsTest, SlotsBlockedByTheCrossChannelRuleCountAsBusy) {
  const std::vector<std::string> on_call = {"state", "available", "cap:1",  "1", "load:1", "1",
                                            "cap:2", "3",         "load:2", "0", "cap:3",  "5"};
  const std::vector<std::string> chatting = {"state", "available", "cap:1",  "1", "load:1", "0",
                                             "cap:2", "3",         "load:2", "3", "cap:3",  "5"};
  auto t = TallyAgents({Agent(on_call), Agent(chatting)}, {"1"});  // voice worked alone
  EXPECT_EQ(t.capacity_slots, 18);
  // On a call: its 3 chat and 5 email slots are blocked. Chatting (chat full): its voice slot
  // is blocked, its 5 email slots are free.
  EXPECT_EQ(t.busy_slots, 1 + 3 + 5 + 1 + 3);
  // With no exclusive channel nothing is blocked: only the work held counts.
  auto mixed = TallyAgents({Agent(on_call), Agent(chatting)}, {});
  EXPECT_EQ(mixed.busy_slots, 1 + 3);
  // Idle agents block nothing.
  auto idle = TallyAgents({Agent({"state", "available", "cap:1", "1", "cap:2", "3"})}, {"1"});
  EXPECT_EQ(idle.busy_slots, 0);
}

TEST(TallyAgentsTest, EveryStateIsPresentWithNoAgents) {
  auto t = TallyAgents({});
  ASSERT_EQ(t.by_state.size(), 4u);
  for (const auto& [state, n] : t.by_state) EXPECT_EQ(n, 0) << state;
  EXPECT_TRUE(t.staffed_by_queue.empty());
}

TEST(TallyAgentsTest, NegativeOrGarbledCountsDoNotSubtract) {
  auto t = TallyAgents({Agent({"state", "available", "cap:1", "x", "load:1", "-3"})});
  EXPECT_EQ(t.capacity_slots, 0);
  EXPECT_EQ(t.busy_slots, 0);
  EXPECT_EQ(t.by_state.at("idle"), 1);
}

// A steady queue: 10 waiting, one abandonment every 10 s -> 0.1 / s over 10 waiting = 0.01 / s
// per waiting interaction (mean patience 100 s).
TEST(AbandonRateTest, AbandonmentsOverTimeWaited) {
  AbandonRate rate;
  double theta = -1;
  int64_t abandoned = 0;
  for (int64_t t = 0; t <= 1200; t += 2) {
    if (t > 0 && t % 10 == 0) ++abandoned;
    theta = rate.Observe(t * 1000, 10, abandoned);
  }
  EXPECT_NEAR(theta, 0.01, 0.001);
  // Twice the patience after a while: the decayed counts follow.
  for (int64_t t = 1202; t <= 6000; t += 2) {
    if (t % 20 == 0) ++abandoned;
    theta = rate.Observe(t * 1000, 10, abandoned);
  }
  EXPECT_NEAR(theta, 0.005, 0.0007);
}

TEST(AbandonRateTest, ZeroUntilEnoughWaitingWasSeenAndResetsDoNotSubtract) {
  AbandonRate rate;
  EXPECT_EQ(rate.Observe(0, 2, 100), 0);
  EXPECT_EQ(rate.Observe(2000, 2, 105), 0);  // 4 waiting-seconds: too little to tell
  AbandonRate reset;
  reset.Observe(0, 50, 100);
  EXPECT_EQ(reset.Observe(10000, 50, 3), 0);  // counter reset: no abandonments, 500 s waited
  EXPECT_GT(reset.Observe(20000, 50, 8), 0);
}

TEST(TallyAgentsTest, StaffedSlotsPerQueueAndChannel) {
  auto t = TallyAgents({
      Agent({"state", "available", "cap:1", "1", "load:1", "1", "cap:2", "3"}, {"support"}),
      Agent({"state", "available", "cap:2", "2"}, {"support", "sales"}),
      Agent({"state", "away", "cap:2", "5"}, {"support"}),
  });
  EXPECT_EQ(t.staffed_slots.at("support").at(1), 1);
  EXPECT_EQ(t.staffed_slots.at("support").at(2), 5);
  EXPECT_EQ(t.staffed_slots.at("sales").at(2), 2);
  EXPECT_EQ(t.staffed_slots.at("sales").count(1), 0u);
}

redis::Reply Str(const std::string& s) {
  redis::Reply r;
  r.type = redis::Reply::Type::kString;
  r.str = s;
  return r;
}
redis::Reply Int(int64_t v) {
  redis::Reply r;
  r.type = redis::Reply::Type::kInteger;
  r.integer = v;
  return r;
}
redis::Reply Array(std::vector<redis::Reply> e) {
  redis::Reply r;
  r.type = redis::Reply::Type::kArray;
  r.elements = std::move(e);
  return r;
}

TEST(ParseStreamGroupsTest, ReadsNamePendingAndLag) {
  redis::Reply nil;  // Redis 7 reports lag nil when it cannot tell
  auto groups = ParseStreamGroups(Array({
      Array({Str("name"), Str("classification"), Str("consumers"), Int(2), Str("pending"), Int(7),
             Str("last-delivered-id"), Str("1-0"), Str("entries-read"), Int(10), Str("lag"),
             Int(3)}),
      Array({Str("name"), Str("audit"), Str("pending"), Int(1), Str("lag"), nil}),
  }));
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].group, "classification");
  EXPECT_EQ(groups[0].pending, 7);
  ASSERT_TRUE(groups[0].lag.has_value());
  EXPECT_EQ(*groups[0].lag, 3);
  EXPECT_EQ(groups[1].pending, 1);
  EXPECT_FALSE(groups[1].lag.has_value());
}

TEST(ParseStreamGroupsTest, AnErrorReplyHasNoGroups) {
  redis::Reply err;
  err.type = redis::Reply::Type::kError;
  err.str = "ERR no such key";
  EXPECT_TRUE(ParseStreamGroups(err).empty());
}

TEST(WaitBucketsTest, TheQueuesThresholdIsABucketInOrder) {
  auto b = WaitBuckets(7);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  EXPECT_NE(std::find(b.begin(), b.end(), 7.0), b.end());
  EXPECT_EQ(b.size(), WaitBuckets(0).size() + 1);
  // A threshold that is already a bucket is not repeated.
  auto twenty = WaitBuckets(20);
  EXPECT_EQ(std::count(twenty.begin(), twenty.end(), 20.0), 1);
  EXPECT_EQ(twenty.size(), WaitBuckets(0).size());
}

}  // namespace
}  // namespace omniroute::routing
