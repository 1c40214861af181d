// Slots that move and masters that go away, on a real Redis Cluster (3 masters): the cluster
// connection follows MOVED and ASK, MoveSlot moves a tenant's slot while writers run scripts that
// touch keys they did not declare (as ours do) without losing a write or running half a script,
// and a master that cannot be reached fails only the commands of its slots.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "services/common/redis/cluster_admin.h"
#include "services/common/redis/cluster_map.h"
#include "services/common/redis/key_slot.h"
#include "tests/support/redis_cluster.h"

namespace omniroute::redis {
namespace {

std::string Tag(const std::string& tenant) { return "{t:" + tenant + "}"; }

Endpoint ClusterEndpoint(const testing::RedisCluster& cluster) {
  auto e = ParseUrl("redis+cluster://" + cluster.Seeds());
  EXPECT_TRUE(e.ok()) << e.status();
  return *e;
}

std::unique_ptr<Connection> Node(const NodeAddress& a) {
  Endpoint e;
  e.host = a.host;
  e.port = a.port;
  auto c = Connection::Open(e, std::chrono::milliseconds(2000));
  EXPECT_TRUE(c.ok()) << c.status();
  return std::move(*c);
}

// A master other than `not_this`.
NodeAddress OtherMaster(ClusterMap& map, const NodeAddress& not_this) {
  auto masters = map.Masters();
  EXPECT_TRUE(masters.ok()) << masters.status();
  for (const auto& m : *masters) {
    if (m != not_this) return m;
  }
  return {};
}

// Increments a declared key and a key derived in the script (like our scripts do).
const std::vector<std::string> kScript = {
    "EVAL", "redis.call('INCR', KEYS[1]); redis.call('INCR', KEYS[1] .. ':derived'); return 1",
    "1"};

TEST(ClusterMovesTest, MoveSlotUnderScriptWritersLosesNothingAndRunsNoHalfScript) {
  testing::RedisCluster cluster(3, 0);
  Endpoint endpoint = ClusterEndpoint(cluster);
  const std::string key = Tag("mover") + ":count";
  const int slot = KeySlot(key);
  auto first = endpoint.cluster->MasterOf(slot);
  ASSERT_TRUE(first.ok()) << first.status();
  uint64_t version = endpoint.cluster->version();
  // More keys than one MIGRATE batch (1,000) in the slot.
  {
    auto conn = Connection::Open(endpoint, std::chrono::milliseconds(2000));
    ASSERT_TRUE(conn.ok());
    std::vector<std::vector<std::string>> sets;
    for (int i = 0; i < 2500; ++i)
      sets.push_back({"SET", Tag("mover") + ":k" + std::to_string(i), "v"});
    ASSERT_TRUE((*conn)->Pipeline(sets).ok());
  }

  std::atomic<bool> stop{false};
  std::atomic<int64_t> acked{0}, unavailable{0}, other{0};
  std::vector<std::thread> writers;
  // A failed assertion returns early: the writers are stopped and joined all the same.
  struct Joiner {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~Joiner() {
      stop = true;
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } joiner{stop, writers};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&] {
      auto conn = Connection::Open(endpoint, std::chrono::milliseconds(2000));
      if (!conn.ok()) return (void)other.fetch_add(1);
      std::vector<std::string> cmd = kScript;
      cmd.push_back(key);
      for (int i = 0; i < 20000 && !stop.load(); ++i) {
        auto r = (*conn)->Command(cmd);
        if (r.ok() && r->type == Reply::Type::kInteger) {
          acked.fetch_add(1);
        } else if ((r.ok() && IsTransientError(*r)) ||
                   (!r.ok() && r.status().code() == absl::StatusCode::kUnavailable)) {
          unavailable.fetch_add(1);
        } else {
          if (other.fetch_add(1) < 3) {
            ADD_FAILURE() << (r.ok() ? r->str : r.status().ToString());
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  NodeAddress second = OtherMaster(*endpoint.cluster, *first);
  auto moved = MoveSlot(*endpoint.cluster, slot, second);
  ASSERT_TRUE(moved.ok()) << moved;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto back = MoveSlot(*endpoint.cluster, slot, *first);
  ASSERT_TRUE(back.ok()) << back;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& t : writers) t.join();

  auto conn = Connection::Open(endpoint, std::chrono::milliseconds(2000));
  ASSERT_TRUE(conn.ok());
  int64_t count = std::stoll((*conn)->Command({"GET", key})->str);
  int64_t derived = std::stoll((*conn)->Command({"GET", key + ":derived"})->str);
  std::printf("moves: %lld scripts acknowledged, %lld unavailable, count %lld, derived %lld\n",
              static_cast<long long>(acked.load()), static_cast<long long>(unavailable.load()),
              static_cast<long long>(count), static_cast<long long>(derived));
  EXPECT_GT(acked.load(), 100);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(count, derived) << "a script ran half-way";
  EXPECT_GE(count, acked.load()) << "an acknowledged write was lost";
  EXPECT_LE(count, acked.load() + unavailable.load());
  EXPECT_GT(endpoint.cluster->version(), version);
  // The slot is back where it was, on that node only.
  EXPECT_EQ(*endpoint.cluster->MasterOf(slot), *first);
  EXPECT_EQ(Node(*first)->Command({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)})->integer,
            2502);
  EXPECT_EQ(Node(second)->Command({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)})->integer,
            0);
}

TEST(ClusterMovesTest, MovedAndAskAreFollowed) {
  testing::RedisCluster cluster(3, 0);
  Endpoint endpoint = ClusterEndpoint(cluster);
  auto conn = Connection::Open(endpoint, std::chrono::milliseconds(2000));
  ASSERT_TRUE(conn.ok());
  const std::string a = Tag("asker") + ":a", b = Tag("asker") + ":b";
  const int slot = KeySlot(a);
  ASSERT_TRUE((*conn)->Pipeline({{"SET", a, "1"}, {"SET", b, "2"}}).ok());
  NodeAddress from = *endpoint.cluster->MasterOf(slot);
  NodeAddress to = OtherMaster(*endpoint.cluster, from);
  auto src = Node(from), dst = Node(to);
  std::string s = std::to_string(slot);
  std::string src_id = src->Command({"CLUSTER", "MYID"})->str;
  std::string dst_id = dst->Command({"CLUSTER", "MYID"})->str;
  // Half-way through a migration: `a` is on the target, `b` still on the source.
  ASSERT_EQ(dst->Command({"CLUSTER", "SETSLOT", s, "IMPORTING", src_id})->str, "OK");
  ASSERT_EQ(src->Command({"CLUSTER", "SETSLOT", s, "MIGRATING", dst_id})->str, "OK");
  ASSERT_EQ(src->Command({"MIGRATE", to.host, std::to_string(to.port), a, "0", "2000"})->str, "OK");
  uint64_t version = endpoint.cluster->version();
  auto replies = (*conn)->Pipeline({{"GET", a}, {"GET", b}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_EQ((*replies)[0].str, "1");  // ASK to the target
  EXPECT_EQ((*replies)[1].str, "2");
  EXPECT_EQ((*conn)->Command({"GET", a})->str, "1");
  EXPECT_EQ(endpoint.cluster->version(), version) << "ASK must not change the map";
  // The migration ends: the slot is the target's, and a stale map is corrected by MOVED.
  ASSERT_EQ(src->Command({"MIGRATE", to.host, std::to_string(to.port), b, "0", "2000"})->str, "OK");
  for (auto* n : {dst.get(), src.get()}) {
    ASSERT_EQ(n->Command({"CLUSTER", "SETSLOT", s, "NODE", dst_id})->str, "OK");
  }
  replies = (*conn)->Pipeline({{"GET", b}, {"INCR", a}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_EQ((*replies)[0].str, "2");
  EXPECT_EQ((*replies)[1].integer, 2);
  EXPECT_EQ(*endpoint.cluster->MasterOf(slot), to);
  EXPECT_GT(endpoint.cluster->version(), version);
}

TEST(ClusterMovesTest, AMasterThatIsGoneFailsOnlyItsOwnCommands) {
  testing::RedisCluster cluster(3, 0);
  Endpoint endpoint = ClusterEndpoint(cluster);
  auto conn = Connection::Open(endpoint, std::chrono::milliseconds(300));
  ASSERT_TRUE(conn.ok());
  // A tenant on each master.
  std::vector<std::string> keys;
  std::vector<NodeAddress> owners;
  for (int i = 0; keys.size() < 3 && i < 1000; ++i) {
    std::string k = Tag("t" + std::to_string(i)) + ":k";
    auto m = *endpoint.cluster->MasterOf(KeySlot(k));
    if (std::find(owners.begin(), owners.end(), m) != owners.end()) continue;
    owners.push_back(m);
    keys.push_back(k);
  }
  ASSERT_EQ(keys.size(), 3u);
  std::vector<std::vector<std::string>> sets;
  for (const auto& k : keys) sets.push_back({"SET", k, "v"});
  ASSERT_TRUE((*conn)->Pipeline(sets).ok());
  for (auto& n : cluster.nodes()) {
    if (n->port() == owners[1].port) n->process().Signal(SIGKILL);
  }
  std::vector<std::vector<std::string>> gets;
  for (const auto& k : keys) gets.push_back({"GET", k});
  auto replies = (*conn)->Pipeline(gets);
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_EQ((*replies)[0].str, "v");
  EXPECT_TRUE(IsTransientError((*replies)[1])) << (*replies)[1].str;
  EXPECT_NE((*replies)[1].str.find(owners[1].ToString()), std::string::npos) << (*replies)[1].str;
  EXPECT_EQ((*replies)[2].str, "v");
  EXPECT_FALSE((*conn)->broken());
  auto single = (*conn)->Command({"GET", keys[1]});
  EXPECT_EQ(single.status().code(), absl::StatusCode::kUnavailable) << single.status();
  EXPECT_EQ((*conn)->Command({"GET", keys[2]})->str, "v");
}

// With an ACL user and the default user off: every node connection authenticates, and MoveSlot's
// MIGRATE passes the user to the target (AUTH2).
TEST(ClusterMovesTest, AnAclUserReachesEveryMasterAndMovesASlot) {
  testing::RedisCluster cluster(3, 0);
  for (auto& n : cluster.nodes()) {
    auto c = n->Connect();
    ASSERT_EQ(c->Command({"ACL", "SETUSER", "app", "on", ">s3cret", "~*", "&*", "+@all"})->str,
              "OK");
    ASSERT_EQ(c->Command({"ACL", "SETUSER", "default", "off"})->str, "OK");
  }
  auto anonymous = ParseUrl("redis+cluster://" + cluster.Seeds());
  ASSERT_TRUE(anonymous.ok());
  auto refused = Connection::Open(*anonymous, std::chrono::milliseconds(300));
  ASSERT_TRUE(refused.ok());  // nodes are connected to on first use
  auto r = (*refused)->Command({"GET", Tag("acl") + ":k"});
  ASSERT_FALSE(r.ok()) << "a command ran without credentials";
  EXPECT_NE(r.status().message().find("NOAUTH"), std::string::npos) << r.status();

  auto endpoint = ParseUrl("redis+cluster://app:s3cret@" + cluster.Seeds());
  ASSERT_TRUE(endpoint.ok());
  auto conn = Connection::Open(*endpoint, std::chrono::milliseconds(2000));
  ASSERT_TRUE(conn.ok());
  std::vector<std::vector<std::string>> sets;
  std::set<std::string> masters;
  for (int i = 0; i < 30; ++i) {
    std::string k = Tag("acl" + std::to_string(i)) + ":k";
    sets.push_back({"SET", k, std::to_string(i)});
    masters.insert(endpoint->cluster->MasterOf(KeySlot(k))->ToString());
  }
  EXPECT_EQ(masters.size(), 3u);
  auto replies = (*conn)->Pipeline(sets);
  ASSERT_TRUE(replies.ok()) << replies.status();
  for (const auto& reply : *replies) EXPECT_EQ(reply.str, "OK") << reply.str;
  const int slot = KeySlot(Tag("acl0"));
  NodeAddress from = *endpoint->cluster->MasterOf(slot);
  NodeAddress to = OtherMaster(*endpoint->cluster, from);
  auto moved = MoveSlot(*endpoint->cluster, slot, to);
  ASSERT_TRUE(moved.ok()) << moved;
  EXPECT_EQ((*conn)->Command({"GET", Tag("acl0") + ":k"})->str, "0");
  EXPECT_EQ(*endpoint->cluster->MasterOf(slot), to);
}

}  // namespace
}  // namespace omniroute::redis
