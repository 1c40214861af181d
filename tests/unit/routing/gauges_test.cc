// The arithmetic of the shared-state gauges: agents by state, capacity slots, staffed agents per
// queue, the estimated wait, and XINFO GROUPS parsing.
#include "services/routing/gauges.h"

#include <gtest/gtest.h>

#include <algorithm>

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

TEST(EstimatedWaitTest, ZeroWhenAnAgentIsFreeAndNothingWaits) {
  EXPECT_EQ(EstimatedWaitSeconds(0, 2, 3, 60000), 0.0);
}

TEST(EstimatedWaitTest, WorkAheadTimesHandleTimeOverStaffedAgents) {
  // 3 waiting + the new one, 120 s average handle, 2 staffed agents: 4 * 120 / 2 = 240 s.
  auto ewt = EstimatedWaitSeconds(3, 0, 2, 120000);
  ASSERT_TRUE(ewt.has_value());
  EXPECT_DOUBLE_EQ(*ewt, 240.0);
  // Nothing waits but every agent is busy: the new work waits about one handle time / agents.
  EXPECT_DOUBLE_EQ(*EstimatedWaitSeconds(0, 0, 4, 60000), 15.0);
}

TEST(EstimatedWaitTest, UnknownWithoutStaffOrHandleTime) {
  EXPECT_FALSE(EstimatedWaitSeconds(5, 0, 0, 60000).has_value());
  EXPECT_FALSE(EstimatedWaitSeconds(5, 0, 3, 0).has_value());
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
