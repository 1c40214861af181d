// The big invariant test: two replicas of every service, 30 simulated agents (some declining
// offers, some never answering) spread over both routing replicas, and 2,000 interactions on
// voice, chat and email submitted through both intake replicas. Once all of them are
// completed, the tenant event feed is replayed to prove one owner, capacity, exactly-once
// completion and that nothing was lost; Redis must hold no leftover work.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <thread>

#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"
#include "tools/sim/sim_agent.h"
#include "tools/sim/traffic.h"

namespace omniroute {
namespace {

using e2e::Cmd;
using e2e::CmdInt;
using e2e::Prefix;

constexpr int kAgents = 30;
constexpr int kPerThread = 1000;  // two traffic threads

TEST(InvariantsE2E, TwoThousandInteractionsKeepOneOwnerCapacityAndExactlyOnceCompletion) {
  auto started = e2e::Clock::now();
  testing::ClusterOptions options;
  options.replicas = 2;
  options.extra_routing_flags = {"--skip-ms=1000"};
  testing::Cluster cluster(options);
  const std::string tenant = "bigco";
  const std::string P = Prefix(tenant);
  auto keys = cluster.CreateTenant(tenant);
  sim::ApiClient api0(cluster.endpoints(0)), api1(cluster.endpoints(1));
  ASSERT_NE(cluster.endpoints(0).routing, cluster.endpoints(1).routing);
  ASSERT_NE(cluster.endpoints(0).intake, cluster.endpoints(1).intake);
  e2e::SetUpVoiceChatEmail(api0, keys["admin"], /*offer_timeout_seconds=*/1);
  if (HasFatalFailure()) return;

  // 30 agents over both routing replicas: 0..4 decline 30 % of offers, 5..7 never answer.
  std::map<std::string, std::map<int, int>> capacity;
  std::vector<std::unique_ptr<sim::SimAgent>> agents;
  std::set<std::string> never_answer;
  for (int i = 0; i < kAgents; ++i) {
    sim::AgentBehavior b;
    b.capacity = {{v1::CHANNEL_VOICE, i % 5 == 4 ? 0 : 1},
                  {v1::CHANNEL_CHAT, 1 + i % 3},
                  {v1::CHANNEL_EMAIL, 2 + i % 4}};
    b.handle_ms_min = 20;
    b.handle_ms_max = 100;
    b.seed = 1000 + i;
    if (i < 5) b.reject_probability = 0.3;
    if (i >= 5 && i < 8) b.never_answers = true;
    char id[32];
    std::snprintf(id, sizeof(id), "agent-%02d", i);
    for (const auto& [ch, max] : b.capacity) capacity[id][static_cast<int>(ch)] = max;
    if (b.never_answers) never_answer.insert(id);
    agents.push_back(
        std::make_unique<sim::SimAgent>(i % 2 == 0 ? &api0 : &api1, keys["agent"], id, b));
    ASSERT_TRUE(agents.back()->Start()) << id;
  }

  // 2,000 interactions through both intake replicas.
  std::atomic<bool> stop{false};
  std::vector<sim::Submitted> sub_a, sub_b;
  auto traffic = [&](sim::ApiClient* api, const std::string& prefix, uint64_t seed,
                     std::vector<sim::Submitted>* out) {
    sim::TrafficOptions t;
    t.total = kPerThread;
    t.batch = 20;
    t.key_prefix = prefix;
    t.seed = seed;
    *out = sim::RunTraffic(*api, keys["integrator"], t, stop);
  };
  auto submit_started = e2e::Clock::now();
  std::thread ta(traffic, &api0, "big-a", 11, &sub_a);
  std::thread tb(traffic, &api1, "big-b", 22, &sub_b);
  ta.join();
  tb.join();
  double submit_s = e2e::SecondsSince(submit_started);
  std::set<std::string> acked;
  for (const auto* v : {&sub_a, &sub_b}) {
    for (const auto& s : *v) acked.insert(s.interaction_id);
  }
  EXPECT_EQ(sub_a.size() + sub_b.size(), 2u * kPerThread) << "some submissions failed";
  EXPECT_EQ(acked.size(), sub_a.size() + sub_b.size()) << "two keys yielded the same id";
  ASSERT_GT(acked.size(), 0u);

  // Wait (bounded) until every acknowledged interaction is completed.
  auto completed_total = [&](sim::ApiClient& api) -> int64_t {
    int64_t n = 0;
    for (const char* q : {"voice", "chat", "email"}) {
      v1::GetQueueStatsRequest req;
      req.set_queue(q);
      v1::GetQueueStatsResponse resp;
      if (!api.routing()
               .GetQueueStats(sim::ApiClient::Context(keys["supervisor"]).get(), req, &resp)
               .ok()) {
        return -1;
      }
      n += resp.completed();
    }
    return n;
  };
  int64_t done = 0;
  bool all_done = e2e::WaitFor(
      [&] {
        done = completed_total(api0);
        return done >= static_cast<int64_t>(acked.size());
      },
      std::chrono::seconds(240), std::chrono::milliseconds(250));
  double drain_s = e2e::SecondsSince(submit_started);
  EXPECT_TRUE(all_done) << "only " << done << " of " << acked.size() << " completed";

  auto redis = cluster.redis().Connect();
  // Capacity at rest: every agent holds nothing, read before the agents log out.
  for (const auto& [agent, caps] : capacity) {
    auto kv = Cmd(*redis, {"HGETALL", P + ":ag:" + agent});
    ASSERT_FALSE(kv.elements.empty()) << agent;
    int load_fields = 0;
    for (size_t i = 0; i + 1 < kv.elements.size(); i += 2) {
      if (kv.elements[i].str.rfind("load:", 0) == 0) {
        ++load_fields;
        EXPECT_EQ(kv.elements[i + 1].str, "0") << agent << " " << kv.elements[i].str;
      }
    }
    EXPECT_GT(load_fields, 0) << agent << " never held work";
  }
  int away = 0;
  for (const auto& a : never_answer) {
    away += Cmd(*redis, {"HGET", P + ":ag:" + a, "state"}).str == "away" ? 1 : 0;
  }
  for (auto& a : agents) a->Stop();

  // The whole feed through the API, cross-checked with the stream in Redis.
  std::string last = e2e::LastEventId(*redis, tenant);
  auto feed = e2e::ReadFeedViaApi(api1, keys["supervisor"], last, std::chrono::seconds(60));
  auto raw = e2e::ReadFeedFromRedis(*redis, tenant);
  ASSERT_FALSE(feed.empty());
  EXPECT_EQ(feed.back().id, last) << "WatchEvents did not deliver the whole feed";
  ASSERT_EQ(feed.size(), raw.size());
  for (size_t i = 0; i < feed.size(); ++i) {
    ASSERT_EQ(feed[i].id, raw[i].id);
    ASSERT_EQ(feed[i].type, raw[i].type);
    ASSERT_EQ(feed[i].ix, raw[i].ix);
  }
  auto replay = e2e::ReplayFeed(feed, capacity);

  // (a) exactly one completion per acknowledged interaction, none for unknown ids.
  int missing = 0, duplicated = 0, unknown = 0;
  for (const auto& id : acked) {
    auto it = replay.completed.find(id);
    int n = it == replay.completed.end() ? 0 : it->second;
    if (n == 0) ++missing;
    if (n > 1) ++duplicated;
  }
  for (const auto& [id, n] : replay.completed) unknown += acked.count(id) ? 0 : 1;
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(unknown, 0);
  int not_completed = 0;
  int i = 0;
  for (const auto& id : acked) {
    v1::GetInteractionRequest g;
    g.set_interaction_id(id);
    v1::GetInteractionResponse gr;
    auto& api = (i++ % 2 == 0) ? api0 : api1;
    auto st =
        api.intake().GetInteraction(sim::ApiClient::Context(keys["integrator"]).get(), g, &gr);
    if (!st.ok() || gr.interaction().state() != v1::INTERACTION_STATE_COMPLETED) {
      if (++not_completed <= 5) {
        ADD_FAILURE() << id << " status " << st.error_code() << " state "
                      << v1::InteractionState_Name(gr.interaction().state());
      }
    }
  }
  EXPECT_EQ(not_completed, 0);

  // (b) one owner and (c) capacity, replayed from the feed.
  for (const auto& v : replay.violations) ADD_FAILURE() << "invariant violated: " << v;
  for (const auto& [agent, by_ch] : replay.load) {
    for (const auto& [ch, l] : by_ch) EXPECT_EQ(l, 0) << agent << " channel " << ch;
  }
  // The run exercised what it claims to: declines, lapsed offers, full agents.
  EXPECT_GT(replay.by_type["rejected"], 0);
  EXPECT_GT(replay.by_type["offer_timeout"], 0);
  int agents_at_capacity = 0;
  for (const auto& [agent, by_ch] : replay.max_load) {
    for (const auto& [ch, m] : by_ch) {
      if (m > 1 && m == capacity[agent][ch]) ++agents_at_capacity;
    }
  }
  EXPECT_GT(agents_at_capacity, 0) << "no agent ever used more than one slot";

  // (d) nothing lost, nothing left behind.
  EXPECT_EQ(replay.submitted.size(), acked.size());
  for (const auto& id : acked) {
    if (!replay.submitted.count(id)) {
      ADD_FAILURE() << "no submitted event for " << id;
      break;
    }
  }
  EXPECT_EQ(replay.completed.size(), acked.size());
  EXPECT_EQ(replay.by_type["completed"], static_cast<int64_t>(acked.size()));
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", P + ":qt:voice:1"}), 0);
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", P + ":qt:chat:2"}), 0);
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", P + ":qt:email:3"}), 0);
  EXPECT_TRUE(Cmd(*redis, {"KEYS", P + ":q:*"}).elements.empty());
  EXPECT_TRUE(Cmd(*redis, {"KEYS", P + ":qt:*"}).elements.empty());
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", P + ":timers"}), 0);
  EXPECT_EQ(e2e::PendingCount(*redis, P + ":s:intake", "classification"), 0);
  EXPECT_EQ(e2e::PendingCount(*redis, P + ":s:classified", "routing"), 0);
  // Every acknowledged submit went through the intake stream once; processed entries are
  // deleted, so both streams are empty now and hold no backlog.
  EXPECT_EQ(e2e::EntriesAdded(*redis, P + ":s:intake"), static_cast<int64_t>(acked.size()));
  EXPECT_EQ(e2e::EntriesAdded(*redis, P + ":s:classified"), static_cast<int64_t>(acked.size()));
  EXPECT_EQ(CmdInt(*redis, {"XLEN", P + ":s:intake"}), 0);
  EXPECT_EQ(CmdInt(*redis, {"XLEN", P + ":s:classified"}), 0);
  EXPECT_TRUE(Cmd(*redis, {"KEYS", P + ":pref:*"}).elements.empty());
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", P + ":preft"}), 0);
  int64_t answered = 0, abandoned = 0;
  for (const char* q : {"voice", "chat", "email"}) {
    answered += CmdInt(*redis, {"HGET", P + ":qs:" + q, "answered"});
    abandoned += CmdInt(*redis, {"HGET", P + ":qs:" + q, "abandoned"});
  }
  EXPECT_EQ(answered, static_cast<int64_t>(acked.size()));
  EXPECT_EQ(abandoned, 0);

  int max_voice = 0, max_chat = 0, max_email = 0;
  for (const auto& [agent, by_ch] : replay.max_load) {
    for (const auto& [ch, m] : by_ch) {
      int& target = ch == 1 ? max_voice : ch == 2 ? max_chat : max_email;
      target = std::max(target, m);
    }
  }
  std::printf(
      "invariants: submitted=%zu submitted_events=%zu completed=%zu events=%zu offered=%lld "
      "accepted=%lld rejected=%lld offer_timeout=%lld violations=%zu never_answer_away=%d/%zu "
      "max_load voice/chat/email=%d/%d/%d submit=%.1fs drained=%.1fs total=%.1fs\n",
      acked.size(), replay.submitted.size(), replay.completed.size(), feed.size(),
      static_cast<long long>(replay.by_type["offered"]),
      static_cast<long long>(replay.by_type["accepted"]),
      static_cast<long long>(replay.by_type["rejected"]),
      static_cast<long long>(replay.by_type["offer_timeout"]), replay.violations.size(), away,
      never_answer.size(), max_voice, max_chat, max_email, submit_s, drain_s,
      e2e::SecondsSince(started));
  std::fflush(stdout);
}

}  // namespace
}  // namespace omniroute
