// The slot map of a real Redis Cluster (3 masters, 3 replicas, made by redis-cli --cluster
// create): CLUSTER SLOTS parses into ranges covering every slot, and each tenant key is served by
// the master the map names; any other master answers MOVED to that master.
#include "services/common/redis/cluster_topology.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "services/common/redis/key_slot.h"
#include "tests/support/redis_cluster.h"

namespace omniroute::redis {
namespace {

TEST(ClusterTopologyTest, TheSlotMapOfARealClusterRoutesEveryTenantKeyToItsMaster) {
  testing::RedisCluster cluster(3, 1);
  auto seed = cluster.nodes()[0]->Connect();
  auto reply = seed->Command({"CLUSTER", "SLOTS"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  auto ranges = ParseClusterSlots(*reply);
  ASSERT_TRUE(ranges.ok()) << ranges.status();

  // Every slot is served, by one of three masters, each with its replica.
  std::set<int> masters;
  int covered = 0;
  for (const auto& r : *ranges) {
    covered += r.last - r.first + 1;
    masters.insert(r.master.port);
    EXPECT_EQ(r.replicas.size(), 1u);
  }
  EXPECT_EQ(covered, kClusterSlots);
  EXPECT_EQ(masters.size(), 3u);
  ASSERT_NE(RangeOf(*ranges, 0), nullptr);
  ASSERT_NE(RangeOf(*ranges, kClusterSlots - 1), nullptr);
  EXPECT_EQ(RangeOf(*ranges, kClusterSlots), nullptr);

  std::map<int, std::unique_ptr<Connection>> by_port;
  for (auto& node : cluster.nodes()) by_port[node->port()] = node->Connect();
  std::set<int> used;
  for (int t = 0; t < 30; ++t) {
    std::string key = "{t:tenant-" + std::to_string(t) + "}:ix:1";
    const SlotRange* owner = RangeOf(*ranges, KeySlot(key));
    ASSERT_NE(owner, nullptr) << key;
    used.insert(owner->master.port);
    auto set = by_port[owner->master.port]->Command({"SET", key, "v"});
    ASSERT_TRUE(set.ok());
    EXPECT_EQ(set->str, "OK") << key << " on its master: " << set->str;
    for (int port : masters) {
      if (port == owner->master.port) continue;
      auto moved = by_port[port]->Command({"GET", key});
      ASSERT_TRUE(moved.ok());
      auto redirect = ParseRedirect(*moved);
      ASSERT_TRUE(redirect.has_value()) << moved->str;
      EXPECT_FALSE(redirect->ask);
      EXPECT_EQ(redirect->slot, KeySlot(key));
      EXPECT_EQ(redirect->to, owner->master);
    }
  }
  EXPECT_EQ(used.size(), 3u) << "30 tenants should land on all three masters";
}

TEST(ClusterTopologyTest, MalformedRepliesAreRefusedNamingWhatIsWrong) {
  Reply error{Reply::Type::kError, "LOADING Redis is loading the dataset in memory", 0, {}};
  EXPECT_EQ(ParseClusterSlots(error).status().code(), absl::StatusCode::kUnavailable);
  Reply range{Reply::Type::kArray, "", 0, {}};
  range.elements = {Reply{Reply::Type::kInteger, "", 10, {}},
                    Reply{Reply::Type::kInteger, "", 5, {}}, Reply{Reply::Type::kArray, "", 0, {}}};
  Reply slots{Reply::Type::kArray, "", 0, {range}};
  auto parsed = ParseClusterSlots(slots);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("CLUSTER SLOTS[0]"), absl::string_view::npos);
  EXPECT_FALSE(ParseRedirect(Reply{Reply::Type::kError, "MOVED x 1.2.3.4:5", 0, {}}));
  auto ask = ParseRedirect(Reply{Reply::Type::kError, "ASK 12182 10.0.0.7:7002", 0, {}});
  ASSERT_TRUE(ask.has_value());
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->slot, 12182);
  EXPECT_EQ(ask->to, (NodeAddress{"10.0.0.7", 7002}));
}

}  // namespace
}  // namespace omniroute::redis
