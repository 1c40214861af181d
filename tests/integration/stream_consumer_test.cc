// At-least-once stream delivery against a real Redis: entries of a consumer that died before
// acknowledging are reclaimed by another, and processing them twice changes nothing.
#include "services/common/redis/stream_consumer.h"

#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class StreamConsumerTest : public RedisFixture {
 protected:
  // Entries delivered to some consumer of the classification group and not acknowledged.
  int64_t Pending() {
    redis::Reply r = Cmd({"XPENDING", keys_.IntakeStream(), kClassificationGroup});
    return r.elements.empty() ? -1 : r.elements[0].integer;
  }
};

TEST_F(StreamConsumerTest, UnackedEntryIsReclaimedByAnotherConsumerAndProcessedOnce) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  std::string id = Submit(Chat("hello"));

  // Consumer "dead" reads the entry and dies before handling it (never acknowledges).
  std::vector<redis::StreamEntry> dead_seen;
  redis::StreamConsumer dead(pool_.get(), {"s:intake", kClassificationGroup, "dead", 1},
                             [&](const auto& e) {
                               dead_seen.insert(dead_seen.end(), e.begin(), e.end());
                               return absl::OkStatus();
                             });
  auto n = dead.PollOnce(*conn_);
  ASSERT_TRUE(n.ok()) << n.status();
  ASSERT_EQ(*n, 1);
  ASSERT_EQ(dead_seen.size(), 1u);
  EXPECT_EQ(dead_seen[0].interaction_id, id);
  EXPECT_EQ(State(id), "received");
  redis::Reply pending = Cmd({"XPENDING", keys_.IntakeStream(), kClassificationGroup});
  ASSERT_EQ(pending.elements.size(), 4u);
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(pending.elements[3].elements[0].elements[0].str, "dead");

  // Consumer "alive" claims entries idle for at least reclaim_idle_ms (0: any pending entry,
  // so the test needs no wall-clock wait).
  redis::ConsumerOptions options{"s:intake", kClassificationGroup, "alive", 1};
  options.reclaim_idle_ms = 0;
  std::vector<redis::StreamEntry> alive_seen;
  redis::StreamConsumer alive(pool_.get(), options, [&](const auto& e) {
    alive_seen.insert(alive_seen.end(), e.begin(), e.end());
    return worker_->Handle(e);
  });
  n = alive.PollOnce(*conn_);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  ASSERT_EQ(alive_seen.size(), 1u);
  EXPECT_EQ(alive_seen[0].entry_id, dead_seen[0].entry_id);
  EXPECT_EQ(State(id), "classified");
  EXPECT_EQ(Int({"XLEN", keys_.ClassifiedStream()}), 1);
  EXPECT_EQ(Pending(), 0);
  std::string classified_ms = HGet(keys_.Interaction(id), "classified_ms");

  // A second delivery of the same entry (at-least-once) is acknowledged and changes nothing.
  clock_.Advance(5000);
  ASSERT_TRUE(worker_->Handle(alive_seen).ok());
  EXPECT_EQ(State(id), "classified");
  EXPECT_EQ(HGet(keys_.Interaction(id), "classified_ms"), classified_ms);
  EXPECT_EQ(Int({"XLEN", keys_.ClassifiedStream()}), 1);
  EXPECT_EQ(EventTypes(id), (std::vector<std::string>{"submitted", "classified"}));

  // Neither consumer sees the entry again.
  n = alive.PollOnce(*conn_);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  n = dead.PollOnce(*conn_);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(dead_seen.size(), 1u);
}

}  // namespace
}  // namespace omniroute
