// The services on a real Redis Cluster (3 masters + 3 replicas on loopback): two replicas of each
// service and six tenants, two on each master, each with its own agents and traffic through both
// intake replicas. Every tenant is then checked as the 2,000-interaction invariant test checks
// its one tenant: every acknowledged interaction completed exactly once, one owner, capacity
// never exceeded (replayed from the tenant's event feed, read through the API and compared with
// the stream), nothing lost and nothing left behind in Redis.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "services/common/redis/cluster_map.h"
#include "services/common/redis/key_slot.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"
#include "tools/sim/sim_agent.h"
#include "tools/sim/traffic.h"

namespace omniroute {
namespace {

using e2e::Cmd;
using e2e::CmdInt;
using e2e::Prefix;

constexpr int kTenantsPerMaster = 2;
constexpr int kAgentsPerTenant = 6;
constexpr int kPerTenant = 350;

struct TenantRun {
  std::string id;
  std::string master;
  std::map<std::string, std::string> keys;
  std::map<std::string, std::map<int, int>> capacity;
  std::vector<std::unique_ptr<sim::SimAgent>> agents;
  std::vector<sim::Submitted> submitted;
};

// Keys matching `pattern` on every master.
int64_t CountKeys(redis::Connection& conn, const std::string& pattern) {
  int64_t n = 0;
  auto st = conn.ForEachMaster([&](redis::Connection& node) {
    auto r = node.Command({"KEYS", pattern});
    if (!r.ok()) return r.status();
    n += static_cast<int64_t>(r->elements.size());
    return absl::OkStatus();
  });
  EXPECT_TRUE(st.ok()) << st;
  return n;
}

// Tenant ids whose hash slots put kTenantsPerMaster of them on each master.
std::vector<std::pair<std::string, std::string>> PlaceTenants(const std::string& url) {
  auto endpoint = redis::ParseUrl(url);
  EXPECT_TRUE(endpoint.ok());
  std::map<std::string, int> per_master;
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; out.size() < 3 * kTenantsPerMaster && i < 1000; ++i) {
    std::string t = "shop" + std::to_string(i);
    auto m = endpoint->cluster->MasterOf(redis::KeySlot(Prefix(t)));
    if (!m.ok()) continue;
    if (per_master[m->ToString()]++ < kTenantsPerMaster) out.emplace_back(t, m->ToString());
  }
  EXPECT_EQ(per_master.size(), 3u);
  return out;
}

void CheckTenant(TenantRun& t, testing::Cluster& cluster, sim::ApiClient& api) {
  SCOPED_TRACE("tenant " + t.id);
  const std::string P = Prefix(t.id);
  std::set<std::string> acked;
  for (const auto& s : t.submitted) acked.insert(s.interaction_id);
  EXPECT_EQ(t.submitted.size(), static_cast<size_t>(kPerTenant)) << "some submissions failed";
  EXPECT_EQ(acked.size(), t.submitted.size());
  auto redis = cluster.ConnectRedis();
  for (const auto& [agent, caps] : t.capacity) {
    auto kv = Cmd(*redis, {"HGETALL", P + ":ag:" + agent});
    for (size_t i = 0; i + 1 < kv.elements.size(); i += 2) {
      if (kv.elements[i].str.rfind("load:", 0) == 0) {
        EXPECT_EQ(kv.elements[i + 1].str, "0") << agent << " " << kv.elements[i].str;
      }
    }
  }
  std::string last = e2e::LastEventId(*redis, t.id);
  auto feed = e2e::ReadFeedViaApi(api, t.keys["supervisor"], last, std::chrono::seconds(60));
  auto raw = e2e::ReadFeedFromRedis(*redis, t.id);
  ASSERT_FALSE(feed.empty());
  ASSERT_EQ(feed.size(), raw.size());
  for (size_t i = 0; i < feed.size(); ++i) ASSERT_EQ(feed[i].id, raw[i].id);
  auto replay = e2e::ReplayFeed(feed, t.capacity);
  int missing = 0, duplicated = 0, unknown = 0;
  for (const auto& id : acked) {
    auto it = replay.completed.find(id);
    int n = it == replay.completed.end() ? 0 : it->second;
    missing += n == 0;
    duplicated += n > 1;
  }
  for (const auto& [id, n] : replay.completed) unknown += acked.count(id) ? 0 : 1;
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(unknown, 0);
  for (const auto& v : replay.violations) ADD_FAILURE() << "invariant violated: " << v;
  for (const auto& [agent, by_ch] : replay.load) {
    for (const auto& [ch, l] : by_ch) EXPECT_EQ(l, 0) << agent << " channel " << ch;
  }
  EXPECT_EQ(replay.submitted.size(), acked.size());
  EXPECT_EQ(replay.by_type["completed"], static_cast<int64_t>(acked.size()));
  EXPECT_GT(replay.by_type["offer_timeout"], 0);
  EXPECT_EQ(CountKeys(*redis, P + ":q:*"), 0);
  EXPECT_EQ(CountKeys(*redis, P + ":pref:*"), 0);
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", P + ":timers"}), 0);
  EXPECT_EQ(e2e::PendingCount(*redis, P + ":s:intake", "classification"), 0);
  EXPECT_EQ(e2e::PendingCount(*redis, P + ":s:classified", "routing"), 0);
  EXPECT_EQ(e2e::EntriesAdded(*redis, P + ":s:intake"), static_cast<int64_t>(acked.size()));
  EXPECT_EQ(e2e::EntriesAdded(*redis, P + ":s:classified"), static_cast<int64_t>(acked.size()));
  std::printf(
      "cluster: tenant %s on %s: acked=%zu completed=%zu events=%zu offered=%lld "
      "rejected=%lld offer_timeout=%lld violations=%zu\n",
      t.id.c_str(), t.master.c_str(), acked.size(), replay.completed.size(), feed.size(),
      static_cast<long long>(replay.by_type["offered"]),
      static_cast<long long>(replay.by_type["rejected"]),
      static_cast<long long>(replay.by_type["offer_timeout"]), replay.violations.size());
  std::fflush(stdout);
}

TEST(RedisClusterE2E, SixTenantsOnThreeMastersKeepEveryInvariant) {
  auto started = e2e::Clock::now();
  testing::ClusterOptions options;
  options.replicas = 2;
  options.redis_cluster_masters = 3;
  options.redis_cluster_replicas = 1;
  options.extra_routing_flags = {"--skip-ms=1000"};
  testing::Cluster cluster(options);
  sim::ApiClient api0(cluster.endpoints(0)), api1(cluster.endpoints(1));
  std::vector<TenantRun> tenants;
  for (const auto& [id, master] : PlaceTenants(cluster.redis_url())) {
    TenantRun t;
    t.id = id;
    t.master = master;
    t.keys = cluster.CreateTenant(id);
    e2e::SetUpVoiceChatEmail(api0, t.keys["admin"], /*offer_timeout_seconds=*/1);
    if (HasFatalFailure()) return;
    tenants.push_back(std::move(t));
  }
  ASSERT_EQ(tenants.size(), 3u * kTenantsPerMaster);
  for (size_t k = 0; k < tenants.size(); ++k) {
    TenantRun& t = tenants[k];
    for (int i = 0; i < kAgentsPerTenant; ++i) {
      sim::AgentBehavior b;
      b.capacity = {
          {v1::CHANNEL_VOICE, 1}, {v1::CHANNEL_CHAT, 1 + i % 3}, {v1::CHANNEL_EMAIL, 2 + i % 2}};
      b.handle_ms_min = 20;
      b.handle_ms_max = 100;
      b.seed = 100 * k + i;
      if (i == 0) b.reject_probability = 0.3;
      if (i == 1) b.never_answers = true;
      std::string id = "agent-" + std::to_string(i);
      for (const auto& [ch, max] : b.capacity) t.capacity[id][static_cast<int>(ch)] = max;
      t.agents.push_back(
          std::make_unique<sim::SimAgent>(i % 2 == 0 ? &api0 : &api1, t.keys["agent"], id, b));
      ASSERT_TRUE(t.agents.back()->Start()) << t.id << " " << id;
    }
  }

  std::atomic<bool> stop{false};
  std::vector<std::thread> traffic;
  for (size_t k = 0; k < tenants.size(); ++k) {
    traffic.emplace_back([&, k] {
      sim::TrafficOptions o;
      o.total = kPerTenant;
      o.batch = 10;
      o.key_prefix = tenants[k].id;
      o.seed = 7 + k;
      tenants[k].submitted =
          sim::RunTraffic(k % 2 == 0 ? api0 : api1, tenants[k].keys["integrator"], o, stop);
    });
  }
  for (auto& th : traffic) th.join();
  double submit_s = e2e::SecondsSince(started);

  auto completed = [&](TenantRun& t) -> int64_t {
    int64_t n = 0;
    for (const char* q : {"voice", "chat", "email"}) {
      v1::GetQueueStatsRequest req;
      req.set_queue(q);
      v1::GetQueueStatsResponse resp;
      if (!api1.routing()
               .GetQueueStats(sim::ApiClient::Context(t.keys["supervisor"]).get(), req, &resp)
               .ok()) {
        return -1;
      }
      n += resp.completed();
    }
    return n;
  };
  for (auto& t : tenants) {
    int64_t done = 0;
    bool all = e2e::WaitFor(
        [&] {
          done = completed(t);
          return done >= static_cast<int64_t>(t.submitted.size());
        },
        std::chrono::seconds(180), std::chrono::milliseconds(250));
    EXPECT_TRUE(all) << t.id << ": only " << done << " of " << t.submitted.size() << " completed";
  }
  double drain_s = e2e::SecondsSince(started);
  for (auto& t : tenants) CheckTenant(t, cluster, api0);
  for (auto& t : tenants) {
    for (auto& a : t.agents) a->Stop();
  }
  std::printf("cluster: %zu tenants x %d interactions, submit %.1fs, drained %.1fs, total %.1fs\n",
              tenants.size(), kPerTenant, submit_s, drain_s, e2e::SecondsSince(started));
}

}  // namespace
}  // namespace omniroute
