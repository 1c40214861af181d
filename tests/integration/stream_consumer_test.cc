// At-least-once stream delivery against a real Redis: entries of a consumer that died before
// acknowledging are reclaimed by another, and processing them twice changes nothing.
#include "services/common/redis/stream_consumer.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

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
  // The names of the classification group's consumers of `stream`.
  std::vector<std::string> Consumers(const std::string& stream) {
    std::vector<std::string> names;
    redis::Reply r = Cmd({"XINFO", "CONSUMERS", stream, kClassificationGroup});
    for (const auto& c : r.elements) {
      for (size_t i = 0; i + 1 < c.elements.size(); i += 2) {
        if (c.elements[i].str == "name") names.push_back(c.elements[i + 1].str);
      }
    }
    return names;
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

TEST_F(StreamConsumerTest, ConsumedEntriesAreTrimmedPendingAndUndeliveredOnesStay) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  // Small stream nodes, so that the trim (approximate: whole nodes) shows with few entries.
  ASSERT_EQ(Cmd({"CONFIG", "SET", "stream-node-max-entries", "5"}).str, "OK");
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(Submit(Chat("hello " + std::to_string(i))));
  std::string stream = keys_.IntakeStream();
  ASSERT_EQ(Int({"XLEN", stream}), 20);
  auto trim = [&] {
    auto r = redis::Scripts::Embedded().Eval(*conn_, "common/trim_stream", {stream},
                                             {kClassificationGroup});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->integer : -1;
  };
  EXPECT_EQ(trim(), 0);  // no group yet: nothing is done with

  // The first 12 entries are classified (and acknowledged), the next 3 only delivered to a
  // consumer that dies before handling them; the last 5 are never read.
  auto reading = [](const char* consumer, int count) {
    redis::ConsumerOptions o{"s:intake", kClassificationGroup, consumer, 1};
    o.count = count;
    return o;
  };
  redis::StreamConsumer done(pool_.get(), reading("done", 12),
                             [&](const auto& e) { return worker_->Handle(e); });
  ASSERT_TRUE(done.PollOnce(*conn_).ok());
  redis::StreamConsumer dead(pool_.get(), reading("dead", 3),
                             [&](const auto&) { return absl::OkStatus(); });
  ASSERT_TRUE(dead.PollOnce(*conn_).ok());
  ASSERT_EQ(Pending(), 3);
  for (int i = 0; i < 12; ++i) ASSERT_EQ(State(ids[i]), "classified") << i;

  // Nodes of 5: the first two (entries 1-10) are done with and go; entries 11-12 share a node
  // with the pending 13-15, which stay, as do the undelivered 16-20. (Each consumer also trims
  // when it polls, every trim_every_ms: "dead" already did, before it read.)
  EXPECT_GE(trim(), 0);
  EXPECT_EQ(Int({"XLEN", stream}), 10);
  EXPECT_EQ(Pending(), 3);
  auto left = Cmd({"XRANGE", stream, "-", "+"});
  ASSERT_EQ(left.elements.size(), 10u);
  EXPECT_EQ(left.elements[0].elements[1].elements[1].str, ids[10]);

  // Once the pending ones are handled (reclaimed) and the rest read and handled, all of it goes
  // but the last node, which the approximate trim keeps.
  redis::ConsumerOptions options = reading("alive", 100);
  options.reclaim_idle_ms = 0;
  redis::StreamConsumer alive(pool_.get(), options,
                              [&](const auto& e) { return worker_->Handle(e); });
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(alive.PollOnce(*conn_).ok());
  EXPECT_EQ(Pending(), 0);
  for (const auto& id : ids) EXPECT_EQ(State(id), "classified") << id;
  trim();
  EXPECT_LE(Int({"XLEN", stream}), 5);
  ASSERT_EQ(Cmd({"CONFIG", "SET", "stream-node-max-entries", "100"}).str, "OK");
}

TEST_F(StreamConsumerTest, AConsumerWhoseHandlerFailedTakesItsEntriesBackAtOnce) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  std::string id = Submit(Chat("hello"));
  // The dead-consumer reclaim would take a minute: the entry must come back before that.
  redis::ConsumerOptions options{"s:intake", kClassificationGroup, "c1", 1};
  options.reclaim_idle_ms = 60000;
  int calls = 0;
  std::vector<std::string> seen;
  redis::StreamConsumer c1(pool_.get(), options, [&](const auto& e) {
    for (const auto& entry : e) seen.push_back(entry.interaction_id);
    // The first attempt fails as it would while Redis is loading its data set.
    if (++calls == 1) return absl::UnavailableError("LOADING Redis is loading");
    return worker_->Handle(e);
  });
  EXPECT_FALSE(c1.PollOnce(*conn_).ok());
  EXPECT_EQ(Pending(), 1);
  auto n = c1.PollOnce(*conn_);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(seen, (std::vector<std::string>{id, id}));
  EXPECT_EQ(State(id), "classified");
  EXPECT_EQ(Pending(), 0);
  // Taken back once: the next pass reads only new entries.
  n = c1.PollOnce(*conn_);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
}

TEST_F(StreamConsumerTest, GoneConsumersAreRemovedOnceTheirEntriesAreReclaimed) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  std::string stream = keys_.IntakeStream();
  Submit(Chat("one"));
  // "dead" and "holder" each read an entry and never acknowledge it.
  auto reader = [&](const std::string& name) {
    return std::make_unique<redis::StreamConsumer>(
        pool_.get(), redis::ConsumerOptions{"s:intake", kClassificationGroup, name, 1},
        [](const auto&) { return absl::OkStatus(); });
  };
  auto dead = reader("dead");
  ASSERT_TRUE(dead->PollOnce(*conn_).ok());
  Submit(Chat("two"));
  auto holder = reader("holder");
  ASSERT_TRUE(holder->PollOnce(*conn_).ok());
  EXPECT_EQ(Pending(), 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // A consumer with entries pending is never removed, however idle.
  auto reaped = redis::Scripts::Embedded().Eval(*conn_, "common/reap_consumers", {stream},
                                                {kClassificationGroup, "5", "someone-else"});
  ASSERT_TRUE(reaped.ok()) << reaped.status();
  EXPECT_EQ(reaped->integer, 0);
  EXPECT_EQ(Consumers(stream), (std::vector<std::string>{"dead", "holder"}));

  // "alive" reclaims both entries (idle bound 0) and then removes both consumers, now empty.
  redis::ConsumerOptions options{"s:intake", kClassificationGroup, "alive", 1};
  options.reclaim_idle_ms = 0;
  redis::StreamConsumer alive(pool_.get(), options,
                              [&](const auto& e) { return worker_->Handle(e); });
  auto n = alive.PollOnce(*conn_);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Consumers(stream), (std::vector<std::string>{"alive"}));
}

}  // namespace
}  // namespace omniroute
