// The cluster side of redis::Connection against a real Redis Cluster on loopback (3 masters made
// by redis-cli --cluster create): commands and pipelines reach the master of their slot, scripts
// run on every master, a moved slot is followed (MOVED), a slot being migrated is served (ASK),
// an unreachable master fails only its own commands, and MoveSlot moves a slot under writers
// without losing a write.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "services/common/redis/cluster_admin.h"
#include "services/common/redis/cluster_map.h"
#include "services/common/redis/key_slot.h"
#include "services/common/redis/scripts.h"
#include "tests/support/redis_cluster.h"

namespace omniroute::redis {
namespace {

std::string Tag(const std::string& tenant) { return "{t:" + tenant + "}"; }

class ClusterClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new testing::RedisCluster(3, 0); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  Endpoint ClusterEndpoint() {
    auto e = ParseUrl("redis+cluster://" + cluster_->Seeds());
    EXPECT_TRUE(e.ok()) << e.status();
    return *e;
  }
  // A connection straight to the node on `port`.
  std::unique_ptr<Connection> Node(int port) {
    Endpoint e;
    e.port = port;
    auto c = Connection::Open(e, std::chrono::milliseconds(2000));
    EXPECT_TRUE(c.ok()) << c.status();
    return std::move(*c);
  }
  // Tenant ids, `per_master` for each master.
  std::map<int, std::vector<std::string>> TenantsByMaster(ClusterMap& map, int per_master) {
    std::map<int, std::vector<std::string>> out;
    for (int i = 0; out.size() < 3 || !Enough(out, per_master); ++i) {
      std::string t = "tenant" + std::to_string(i);
      auto m = map.MasterOf(KeySlot(Tag(t)));
      EXPECT_TRUE(m.ok()) << m.status();
      if (!m.ok()) return out;
      if (static_cast<int>(out[m->port].size()) < per_master) out[m->port].push_back(t);
    }
    return out;
  }
  static bool Enough(const std::map<int, std::vector<std::string>>& m, int n) {
    for (const auto& [port, ts] : m) {
      if (static_cast<int>(ts.size()) < n) return false;
    }
    return true;
  }

  static testing::RedisCluster* cluster_;
};

testing::RedisCluster* ClusterClientTest::cluster_ = nullptr;

TEST(ClusterUrlTest, ParsesSeedsAndCredentialsAndNamesWhatIsWrong) {
  auto e = ParseUrl("redis+cluster://app:secret@10.0.0.1:7000,10.0.0.2:7001");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_NE(e->cluster, nullptr);
  EXPECT_EQ(e->username, "app");
  EXPECT_EQ(e->password, "secret");
  EXPECT_EQ(e->host, "10.0.0.1");
  EXPECT_EQ(e->port, 7000);
  EXPECT_EQ(e->cluster->NodeEndpoint({"10.0.0.2", 7001}).port, 7001);
  EXPECT_EQ(e->cluster->NodeEndpoint({"10.0.0.2", 7001}).password, "secret");
  auto bad = ParseUrl("redis+cluster://10.0.0.1:7000,10.0.0.2");
  EXPECT_NE(bad.status().message().find("node '10.0.0.2' is not host:port"), std::string::npos)
      << bad.status();
  EXPECT_NE(ParseUrl("redis+cluster://h:1/2").status().message().find("only database 0"),
            std::string::npos);
  EXPECT_NE(ParseUrl("redis+cluster://").status().message().find("no cluster node"),
            std::string::npos);
  EXPECT_EQ(ParseUrl("redis+cluster://:pw@h:1,h:2")->password, "pw");
}

TEST_F(ClusterClientTest, CommandsPipelinesAndScriptsReachTheMasterOfTheirSlot) {
  Endpoint endpoint = ClusterEndpoint();
  auto conn = Connection::Open(endpoint, std::chrono::milliseconds(2000));
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto by_master = TenantsByMaster(*endpoint.cluster, 2);
  ASSERT_EQ(by_master.size(), 3u);
  // One pipeline over six tenants on three masters: replies come back in order.
  std::vector<std::vector<std::string>> cmds;
  std::vector<std::string> tenants;
  for (const auto& [port, ts] : by_master) tenants.insert(tenants.end(), ts.begin(), ts.end());
  for (const auto& t : tenants) cmds.push_back({"SET", Tag(t) + ":name", t});
  for (const auto& t : tenants) cmds.push_back({"GET", Tag(t) + ":name"});
  auto replies = (*conn)->Pipeline(cmds);
  ASSERT_TRUE(replies.ok()) << replies.status();
  for (size_t i = 0; i < tenants.size(); ++i) {
    EXPECT_EQ((*replies)[i].str, "OK");
    EXPECT_EQ((*replies)[tenants.size() + i].str, tenants[i]);
  }
  // Each key lives on its master only.
  for (const auto& [port, ts] : by_master) {
    auto node = Node(port);
    for (const auto& t : tenants) {
      bool mine = std::find(ts.begin(), ts.end(), t) != ts.end();
      auto r = node->Command({"EXISTS", Tag(t) + ":name"});
      ASSERT_TRUE(r.ok());
      if (mine) {
        EXPECT_EQ(r->integer, 1) << t << " on " << port;
      } else {
        EXPECT_TRUE(r->is_error() || r->integer == 0) << t << " on " << port;
      }
    }
  }
  // A script of the library runs for a tenant of every master (loaded on each on first use).
  for (const auto& [port, ts] : by_master) {
    auto node = Node(port);
    ASSERT_TRUE(node->Command({"FUNCTION", "FLUSH"}).ok());
  }
  for (const auto& t : tenants) {
    std::string stream = Tag(t) + ":s:test";
    ASSERT_TRUE((*conn)->Command({"XADD", stream, "*", "ix", "1"}).ok());
    ASSERT_TRUE((*conn)->Command({"XGROUP", "CREATE", stream, "g", "0"}).ok());
    auto r = Scripts::Embedded().Eval(**conn, "common/trim_stream", {stream}, {"g"});
    EXPECT_TRUE(r.ok()) << t << ": " << r.status();
  }
  // Keys of two slots in one command are refused, naming the command.
  auto cross = (*conn)->Command({"DEL", Tag(tenants[0]) + ":a", Tag(tenants[5]) + ":a"});
  EXPECT_EQ(cross.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(cross.status().message().find("DEL names keys of several hash slots"),
            std::string::npos);
  // ForEachMaster reaches the three.
  std::set<std::string> ids;
  ASSERT_TRUE((*conn)
                  ->ForEachMaster([&](Connection& node) {
                    auto id = node.Command({"CLUSTER", "MYID"});
                    if (!id.ok()) return id.status();
                    ids.insert(id->str);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(ids.size(), 3u);
}

}  // namespace
}  // namespace omniroute::redis
