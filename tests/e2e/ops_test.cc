// Operating the real processes: Prometheus metrics that pass `promtool check metrics`, health
// that follows Redis, SIGTERM drains that exit 0 with a stream open, and kill -9 of
// classification and routing replicas under load without losing an acknowledged interaction.
#include <gtest/gtest.h>
#include <signal.h>

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
using sim::ApiClient;

int64_t CompletedTotal(ApiClient& api, const std::string& key) {
  int64_t n = 0;
  for (const char* q : {"voice", "chat", "email"}) {
    v1::GetQueueStatsRequest req;
    req.set_queue(q);
    v1::GetQueueStatsResponse resp;
    if (!api.routing().GetQueueStats(ApiClient::Context(key).get(), req, &resp).ok()) return -1;
    n += resp.completed();
  }
  return n;
}

std::unique_ptr<sim::SimAgent> StartAgent(ApiClient* api, const std::string& key,
                                          const std::string& id, uint64_t seed,
                                          double reject_probability = 0) {
  sim::AgentBehavior b;
  b.capacity = {{v1::CHANNEL_VOICE, 1}, {v1::CHANNEL_CHAT, 3}, {v1::CHANNEL_EMAIL, 4}};
  b.handle_ms_min = 20;
  b.handle_ms_max = 80;
  b.seed = seed;
  b.reject_probability = reject_probability;
  auto a = std::make_unique<sim::SimAgent>(api, key, id, b);
  if (!a->Start()) return nullptr;
  return a;
}

// ---- promtool ---------------------------------------------------------------------------

TEST(MetricsE2E, EveryServiceExposesCleanPrometheusMetrics) {
  testing::ClusterOptions options;
  options.extra_routing_flags = {"--skip-ms=500"};
  testing::Cluster cluster(options);
  auto keys = cluster.CreateTenant("metrics");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 0);
  if (HasFatalFailure()) return;
  // One agent declines some offers, so offers_total has more than one outcome.
  auto agent = StartAgent(&api, keys["agent"], "agent-1", 5, /*reject_probability=*/0.2);
  auto agent2 = StartAgent(&api, keys["agent"], "agent-2", 6);
  ASSERT_NE(agent, nullptr);
  ASSERT_NE(agent2, nullptr);
  sim::TrafficOptions t;
  t.total = 60;
  t.batch = 10;
  std::atomic<bool> stop{false};
  auto submitted = sim::RunTraffic(api, keys["integrator"], t, stop);
  ASSERT_EQ(submitted.size(), 60u);
  {
    v1::SubmitInteractionRequest bad;  // an invalid submission shows up as outcome="invalid"
    v1::SubmitInteractionResponse resp;
    EXPECT_FALSE(api.intake()
                     .SubmitInteraction(ApiClient::Context(keys["integrator"]).get(), bad, &resp)
                     .ok());
  }
  ASSERT_TRUE(e2e::WaitFor([&] { return CompletedTotal(api, keys["supervisor"]) == 60; },
                           std::chrono::seconds(60)));

  const std::map<std::string, std::vector<std::string>> expected = {
      {"intake", {"omniroute_intake_submissions_total", "omniroute_build_info"}},
      {"classification", {"omniroute_classified_total", "omniroute_build_info"}},
      {"routing",
       {"omniroute_queue_depth", "omniroute_queue_wait_seconds_bucket", "omniroute_offers_total",
        "omniroute_build_info"}},
  };
  for (const auto& [service, names] : expected) {
    auto replicas = cluster.Replicas(service);
    ASSERT_FALSE(replicas.empty());
    int port = replicas[0]->metrics_port;
    std::string body, missing;
    // Gauges are refreshed in the background: wait (bounded) until every name shows.
    bool all = e2e::WaitFor(
        [&] {
          int code = 0;
          body = e2e::HttpGet(port, "/metrics", &code);
          missing.clear();
          if (code != 200) missing = "HTTP " + std::to_string(code);
          for (const auto& n : names) {
            if (body.find("\n" + n) == std::string::npos && body.rfind(n, 0) != 0) {
              missing += " " + n;
            }
          }
          return missing.empty();
        },
        std::chrono::seconds(15), std::chrono::milliseconds(250));
    EXPECT_TRUE(all) << service << " lacks" << missing;
    std::string out;
    int rc = e2e::RunWithInput("/usr/bin/promtool check metrics", body,
                               cluster.dir() + "/metrics-" + service + ".txt", &out);
    EXPECT_EQ(rc, 0) << service << ": " << out;
    EXPECT_EQ(out, "") << service;
    // Labels stay bounded: never an interaction, agent or customer id.
    for (const auto& s : submitted) {
      ASSERT_EQ(body.find(s.interaction_id), std::string::npos) << service;
    }
    EXPECT_EQ(body.find("agent-"), std::string::npos) << service;
    EXPECT_EQ(body.find("cust-"), std::string::npos) << service;
  }
  agent->Stop();
  agent2->Stop();
}

// ---- Health and drain -------------------------------------------------------------------

TEST(HealthE2E, ReadinessFollowsRedisAndSigtermDrainsWithAStreamOpen) {
  testing::Cluster cluster;
  ApiClient api(cluster.endpoints());
  const std::vector<std::string> services = {"intake", "classification", "routing"};
  for (const auto& s : services) EXPECT_TRUE(api.Serving(s)) << s;

  cluster.redis().process().Signal(SIGKILL);
  for (const auto& s : services) {
    EXPECT_TRUE(e2e::WaitFor([&] { return !api.Serving(s); }, std::chrono::seconds(5)))
        << s << " still SERVING 5 s after Redis died";
  }
  cluster.redis().Restart();
  for (const auto& s : services) {
    EXPECT_TRUE(e2e::WaitFor([&] { return api.Serving(s); }, std::chrono::seconds(5)))
        << s << " not SERVING 5 s after Redis came back";
  }

  // Redis restarted empty: set up a tenant, an agent following its offers, and one offer.
  auto keys = cluster.CreateTenant("drain");
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 0);
  if (HasFatalFailure()) return;
  {
    v1::SetAgentStateRequest r;
    r.set_agent_id("agent-1");
    r.set_state(v1::AGENT_STATE_AVAILABLE);
    auto* c = r.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(1);
    v1::SetAgentStateResponse resp;
    ASSERT_TRUE(
        api.routing().SetAgentState(ApiClient::Context(keys["agent"]).get(), r, &resp).ok());
  }
  auto watch_ctx = ApiClient::Context(keys["agent"], std::chrono::seconds(60));
  std::atomic<int> offers{0};
  std::atomic<bool> stream_ended{false};
  grpc::Status watch_status;
  std::thread watcher([&] {
    v1::WatchOffersRequest r;
    r.set_agent_id("agent-1");
    auto reader = api.routing().WatchOffers(watch_ctx.get(), r);
    v1::Offer o;
    while (reader->Read(&o)) ++offers;
    watch_status = reader->Finish();
    stream_ended = true;
  });
  v1::SubmitInteractionRequest sub;
  sub.set_channel(v1::CHANNEL_CHAT);
  sub.set_subject("Card blocked");
  v1::SubmitInteractionResponse sr;
  grpc::Status submitted =
      api.intake().SubmitInteraction(ApiClient::Context(keys["integrator"]).get(), sub, &sr);
  ASSERT_TRUE(submitted.ok()) << submitted.error_message();
  bool got_offer = e2e::WaitFor([&] { return offers.load() > 0; }, std::chrono::seconds(10));
  EXPECT_TRUE(got_offer) << "the WatchOffers stream never delivered the offer";

  // SIGTERM: every replica exits 0 within 15 s, routing with the WatchOffers stream open.
  for (const auto& s : {"routing", "intake", "classification"}) {
    auto rs = cluster.Replicas(s);
    ASSERT_EQ(rs.size(), 1u) << s;
    auto t0 = e2e::Clock::now();
    ASSERT_TRUE(rs[0]->process->Signal(SIGTERM)) << s;
    int code = rs[0]->process->Wait(15000);
    EXPECT_EQ(code, 0) << s << " exit code (-1 = still running after 15 s); log:\n"
                       << rs[0]->process->ReadLog();
    std::printf("drain: %s exited %d after %.2fs\n", s, code, e2e::SecondsSince(t0));
  }
  EXPECT_TRUE(e2e::WaitFor([&] { return stream_ended.load(); }, std::chrono::seconds(5)))
      << "the WatchOffers stream did not end when routing drained";
  if (!stream_ended.load()) watch_ctx->TryCancel();
  watcher.join();
  std::fflush(stdout);
}

// ---- Crash recovery ---------------------------------------------------------------------

// The consumer of `group` that holds delivered but unacknowledged entries and has not been
// seen for over a second (a stopped process); empty when there is none.
std::string StuckConsumer(redis::Connection& c, const std::string& stream, const std::string& group,
                          int64_t* pending) {
  auto r = Cmd(c, {"XINFO", "CONSUMERS", stream, group});
  for (const auto& consumer : r.elements) {
    std::string name;
    int64_t p = 0, idle = 0;
    for (size_t i = 0; i + 1 < consumer.elements.size(); i += 2) {
      const std::string& k = consumer.elements[i].str;
      if (k == "name") name = consumer.elements[i + 1].str;
      if (k == "pending") p = consumer.elements[i + 1].integer;
      if (k == "idle") idle = consumer.elements[i + 1].integer;
    }
    if (p > 0 && idle > 1000) {
      *pending = p;
      return name;
    }
  }
  return "";
}

TEST(CrashRecoveryE2E, KillingClassificationAndRoutingReplicasLosesNothing) {
  auto started = e2e::Clock::now();
  testing::ClusterOptions options;
  options.replicas = 2;
  options.extra_routing_flags = {"--skip-ms=1000", "--reclaim-idle-ms=2000"};
  testing::Cluster cluster(options);
  const std::string tenant = "crashco";
  const std::string P = Prefix(tenant);
  auto keys = cluster.CreateTenant(tenant);
  auto intake = cluster.Replicas("intake");
  auto classification = cluster.Replicas("classification");
  auto routing = cluster.Replicas("routing");
  ASSERT_EQ(classification.size(), 2u);
  ASSERT_EQ(routing.size(), 2u);
  testing::Replica* victims[] = {classification[1], routing[1]};
  // Clients talk to the surviving routing replica; traffic goes through both intake replicas.
  ApiClient api0({intake[0]->address(), classification[0]->address(), routing[0]->address()});
  ApiClient api1({intake[1]->address(), classification[0]->address(), routing[0]->address()});
  e2e::SetUpVoiceChatEmail(api0, keys["admin"], /*offer_timeout_seconds=*/2);
  if (HasFatalFailure()) return;
  std::vector<std::unique_ptr<sim::SimAgent>> agents;
  std::map<std::string, std::map<int, int>> capacity;
  for (int i = 0; i < 10; ++i) {
    std::string id = "agent-" + std::to_string(i);
    agents.push_back(StartAgent(&api0, keys["agent"], id, 100 + i, i == 0 ? 0.3 : 0.0));
    ASSERT_NE(agents.back(), nullptr);
    capacity[id] = {{1, 1}, {2, 3}, {3, 4}};
  }

  std::atomic<bool> stop{false};
  std::vector<sim::Submitted> sub_a, sub_b;
  auto traffic = [&](ApiClient* api, const std::string& prefix, uint64_t seed,
                     std::vector<sim::Submitted>* out) {
    sim::TrafficOptions t;
    t.total = 600;
    t.rate_per_second = 60;
    t.batch = 5;
    t.key_prefix = prefix;
    t.seed = seed;
    *out = sim::RunTraffic(*api, keys["integrator"], t, stop);
  };
  std::thread ta(traffic, &api0, "crash-a", 1, &sub_a);
  std::thread tb(traffic, &api1, "crash-b", 2, &sub_b);

  // Let traffic flow, then freeze both victims so that entries are delivered to them but never
  // acknowledged, and kill them with SIGKILL.
  auto redis = cluster.redis().Connect();
  ASSERT_TRUE(e2e::WaitFor([&] { return CompletedTotal(api0, keys["supervisor"]) > 50; },
                           std::chrono::seconds(20)));
  const std::pair<std::string, std::string> streams[] = {{P + ":s:intake", "classification"},
                                                         {P + ":s:classified", "routing"}};
  int64_t stranded[2] = {0, 0};
  for (int v = 0; v < 2; ++v) {
    bool stuck = false;
    for (int attempt = 0; attempt < 5 && !stuck; ++attempt) {
      ASSERT_TRUE(victims[v]->process->Signal(SIGSTOP));
      stuck = e2e::WaitFor(
          [&] {
            return !StuckConsumer(*redis, streams[v].first, streams[v].second, &stranded[v])
                        .empty();
          },
          std::chrono::seconds(4), std::chrono::milliseconds(100));
      if (!stuck) {  // it was not blocked in a read: let it run and try again
        victims[v]->process->Signal(SIGCONT);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
    }
    EXPECT_TRUE(stuck) << victims[v]->service << " replica never held unacknowledged entries";
    ASSERT_TRUE(victims[v]->process->Signal(SIGKILL));
    EXPECT_EQ(victims[v]->process->Wait(5000), 128 + SIGKILL);
  }
  std::printf("crash: killed %s and %s holding %lld and %lld unacknowledged entries\n",
              victims[0]->service.c_str(), victims[1]->service.c_str(),
              static_cast<long long>(stranded[0]), static_cast<long long>(stranded[1]));
  ta.join();
  tb.join();
  std::set<std::string> acked;
  for (const auto* v : {&sub_a, &sub_b}) {
    for (const auto& s : *v) acked.insert(s.interaction_id);
  }
  EXPECT_EQ(acked.size(), 1200u);

  // Every acknowledged interaction completes: the survivors reclaim the dead consumers'
  // entries (routing after 2 s idle, classification after its default 30 s).
  int64_t done = 0;
  bool all = e2e::WaitFor(
      [&] {
        done = CompletedTotal(api0, keys["supervisor"]);
        return done >= static_cast<int64_t>(acked.size());
      },
      std::chrono::seconds(90), std::chrono::milliseconds(250));
  EXPECT_TRUE(all) << done << " of " << acked.size() << " completed";
  for (auto& a : agents) a->Stop();

  auto feed = e2e::ReadFeedFromRedis(*redis, tenant);
  auto replay = e2e::ReplayFeed(feed, capacity);
  for (const auto& v : replay.violations) ADD_FAILURE() << "invariant violated: " << v;
  int missing = 0, duplicated = 0;
  for (const auto& id : acked) {
    int n = replay.completed.count(id) ? replay.completed[id] : 0;
    missing += n == 0 ? 1 : 0;
    duplicated += n > 1 ? 1 : 0;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(replay.completed.size(), acked.size());
  EXPECT_EQ(replay.submitted.size(), acked.size());
  for (const auto& [s, g] : streams) EXPECT_EQ(e2e::PendingCount(*redis, s, g), 0) << s;
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", P + ":timers"}), 0);
  int not_completed = 0;
  for (const auto& id : acked) {
    v1::GetInteractionRequest g;
    g.set_interaction_id(id);
    v1::GetInteractionResponse gr;
    auto st = api1.intake().GetInteraction(ApiClient::Context(keys["integrator"]).get(), g, &gr);
    if (!st.ok() || gr.interaction().state() != v1::INTERACTION_STATE_COMPLETED) ++not_completed;
  }
  EXPECT_EQ(not_completed, 0);
  std::printf("crash: acked=%zu completed=%zu missing=%d duplicated=%d events=%zu total=%.1fs\n",
              acked.size(), replay.completed.size(), missing, duplicated, feed.size(),
              e2e::SecondsSince(started));
  std::fflush(stdout);
}

}  // namespace
}  // namespace omniroute
