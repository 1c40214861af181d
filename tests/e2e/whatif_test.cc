// What-if against real runs: the services under a generated workload (known arrivals, handle
// times and patience, tests/e2e/workload_scenario.h) are recorded from the event feed, replayed
// through the routing scripts on a scratch Redis, and the replay must predict what the real
// run measured -- for the recorded config, and for proposals (more staff, a bullseye step
// removed) that are then run for real on the same arrivals.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/e2e_process.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/workload_scenario.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using sim::ApiClient;

constexpr int64_t kDurationMs = 40000;

struct Recorded {
  e2e::ScenarioResult real;
  v1::Workload workload;
  std::map<std::string, std::string> keys;
};

v1::Queue SupportQueue(int sla_s) {
  v1::Queue q;
  q.set_name("support");
  q.add_channels(v1::CHANNEL_CHAT);
  q.set_sla_threshold_seconds(sla_s);
  q.set_sla_target_percent(80);
  return q;
}

std::vector<e2e::ScenarioAgent> Agents(const std::string& prefix, int n,
                                       std::map<std::string, int> skills = {}) {
  std::vector<e2e::ScenarioAgent> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({prefix + std::to_string(i), skills, {{v1::CHANNEL_CHAT, 1}}});
  }
  return out;
}

// Runs the arrivals on a new tenant with `queue` and the agents, then exports the window from
// just before the agents logged in to just after the run (Admin.ExportWorkload).
Recorded RunAndRecord(testing::Cluster& cluster, const std::string& tenant, const v1::Queue& queue,
                      const std::vector<e2e::ScenarioAgent>& agents,
                      const std::vector<e2e::ScenarioArrival>& arrivals) {
  Recorded out;
  out.keys = cluster.CreateTenant(tenant);
  ApiClient api(cluster.endpoints());
  v1::PutQueueRequest put;
  *put.mutable_queue() = queue;
  v1::PutQueueResponse put_resp;
  auto st = api.admin().PutQueue(ApiClient::Context(out.keys["admin"]).get(), put, &put_resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  const int64_t start = e2e::WallMs() - 1;
  out.real = e2e::RunScenario(cluster, out.keys["admin"], out.keys["integrator"], out.keys["agent"],
                              agents, arrivals);
  for (const auto& p : out.real.problems) ADD_FAILURE() << tenant << ": driver problem: " << p;
  EXPECT_EQ(out.real.lost, 0);
  // The window ends with the last interaction (before the driver logs the agents out, so a
  // replay that drains its work past the window has them still signed in).
  int64_t end = start + 1;
  for (const auto& o : out.real.outcomes) end = std::max(end, o.ended_ms + 1);
  v1::ExportWorkloadRequest req;
  req.set_start_ms(start);
  req.set_end_ms(end);
  v1::ExportWorkloadResponse resp;
  auto ctx = ApiClient::Context(out.keys["admin"]);
  st = api.admin().ExportWorkload(ctx.get(), req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  out.workload = resp.workload();
  // OMNIROUTE_WHATIF_SAVE_DIR keeps each recorded workload (to replay it by hand).
  if (const char* dir = std::getenv("OMNIROUTE_WHATIF_SAVE_DIR"); dir != nullptr) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(out.workload, &json);
    std::ofstream(std::string(dir) + "/" + tenant + ".json") << json;
  }
  return out;
}

v1::RunWhatIfResponse WhatIf(testing::Cluster& cluster, const Recorded& rec,
                             const v1::WhatIfProposal* proposal) {
  ApiClient api(cluster.endpoints());
  v1::RunWhatIfRequest req;
  *req.mutable_workload() = rec.workload;
  if (proposal != nullptr) *req.mutable_proposal() = *proposal;
  req.set_seed(11);
  v1::RunWhatIfResponse resp;
  auto ctx = ApiClient::Context(rec.keys.at("admin"));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  auto st = api.admin().RunWhatIf(ctx.get(), req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return resp;
}

const v1::WhatIfQueueResult& Support(const v1::WhatIfRun& run) {
  for (const auto& q : run.queues()) {
    if (q.queue() == "support" && q.priority() == v1::PRIORITY_UNSPECIFIED) return q;
  }
  static const v1::WhatIfQueueResult none;
  ADD_FAILURE() << "no support row";
  return none;
}

// The replay's prediction against a real run: service level within 2 points, mean wait within
// 10 % (of the real one).
void ExpectMatches(const std::string& what, const v1::WhatIfQueueResult& predicted,
                   const e2e::QueueMeasure& real) {
  double real_sl = real.ServiceLevelPercent(), real_wait = real.mean_wait_ms / 1000.0;
  std::printf(
      "%s: real SL %.2f %% mean wait %.3f s (answered %lld, abandoned %lld) | replay SL "
      "%.2f %% mean wait %.3f s (answered %lld, abandoned %lld)\n",
      what.c_str(), real_sl, real_wait, static_cast<long long>(real.answered),
      static_cast<long long>(real.abandoned), predicted.service_level_percent(),
      predicted.mean_wait_seconds(), static_cast<long long>(predicted.answered()),
      static_cast<long long>(predicted.abandoned()));
  EXPECT_NEAR(predicted.service_level_percent(), real_sl, 2.0) << what;
  EXPECT_NEAR(predicted.mean_wait_seconds(), real_wait, 0.1 * real_wait) << what;
}

// A real run recorded and replayed under its own config, through omniroute-ctl: `workload
// export` to a file, `what-if` on it (its own scratch redis-server).
TEST(WhatIfE2E, ReplayOfARecordedRunMatchesWhatTheRunMeasured) {
  testing::Cluster cluster;
  e2e::ArrivalStreamSpec stream;
  stream.queue = "support";
  stream.rate_per_second = 6;
  stream.mean_handle_ms = 1500;
  stream.mean_patience_ms = 5000;
  auto arrivals = e2e::GenerateArrivals({stream}, kDurationMs, 21, "rec");
  Recorded rec = RunAndRecord(cluster, "wirec", SupportQueue(1), Agents("a", 10), arrivals);
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(rec.workload.arrivals_size(), static_cast<int>(arrivals.size()));
  for (const auto& a : rec.workload.arrivals()) {
    ASSERT_NE(a.outcome(), "open") << a.DebugString();  // the run ended every arrival
  }

  std::string dir = cluster.dir();
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), testing::BinDir() + "/omniroute-ctl");
    return e2e::RunCommand(args, {}, "", dir, 120000);
  };
  auto exported = ctl(
      {"workload", "export", "--routing-addr=" + cluster.endpoints().routing,
       "--api-key=" + rec.keys["admin"], "--start-ms=" + std::to_string(rec.workload.start_ms()),
       "--end-ms=" + std::to_string(rec.workload.end_ms()), "--out=" + dir + "/w.json"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  auto replayed = ctl({"what-if", "--workload=" + dir + "/w.json", "--output=json"});
  ASSERT_EQ(replayed.code, 0) << replayed.err;
  v1::RunWhatIfResponse resp;
  auto parsed = google::protobuf::util::JsonStringToMessage(replayed.out, &resp);
  ASSERT_TRUE(parsed.ok()) << parsed.ToString() << "\n" << replayed.out;

  const e2e::QueueMeasure& real = rec.real.by_queue.at("support");
  // The recording's own figures are the run's (the same feed).
  EXPECT_EQ(Support(resp.recorded()).answered(), real.answered);
  EXPECT_EQ(Support(resp.recorded()).abandoned(), real.abandoned);
  ASSERT_GT(real.abandoned, 0) << "the workload should make some customers give up";
  ExpectMatches("recorded config", Support(resp.current()), real);
  std::printf("occupancy real %.1f %%, replay %.1f %%; replayed %d arrivals in %.2f s\n",
              100 * rec.real.occupancy, resp.current().occupancy_percent(),
              rec.workload.arrivals_size(), resp.current().elapsed_seconds());
}

// An overloaded queue (10.5 Erlang offered to 8 agents): the proposal adds 3 agents. The
// prediction (from the overloaded recording) must match a real run with 11 agents on the same
// arrivals, and the service level must rise.
TEST(WhatIfE2E, AddingStaffToAnOverloadedQueueRaisesTheServiceLevelAsARealRunDoes) {
  testing::Cluster cluster;
  e2e::ArrivalStreamSpec stream;
  stream.queue = "support";
  stream.rate_per_second = 7;
  stream.mean_handle_ms = 1500;
  auto arrivals = e2e::GenerateArrivals({stream}, kDurationMs, 22, "staff");
  // The real run of the proposal needs nothing from the recording: it runs at the same time on
  // services of its own (make test's wall time).
  testing::Cluster other;
  Recorded real;
  std::thread proposed_run(
      [&] { real = RunAndRecord(other, "wistaff2", SupportQueue(2), Agents("a", 11), arrivals); });
  Recorded base = RunAndRecord(cluster, "wistaff", SupportQueue(2), Agents("a", 8), arrivals);
  proposed_run.join();
  ASSERT_FALSE(HasFailure());
  v1::WhatIfProposal proposal;
  for (int i = 0; i < 3; ++i) {
    auto* a = proposal.add_agents();
    a->set_agent_id("extra" + std::to_string(i));
    auto* cap = a->add_capacities();
    cap->set_channel(v1::CHANNEL_CHAT);
    cap->set_max(1);
  }
  auto resp = WhatIf(cluster, base, &proposal);
  const auto& base_real = base.real.by_queue.at("support");
  std::printf("base: real SL %.2f %% mean wait %.3f s; replay of the base SL %.2f %%\n",
              base_real.ServiceLevelPercent(), base_real.mean_wait_ms / 1000.0,
              Support(resp.current()).service_level_percent());
  EXPECT_GT(Support(resp.proposed()).service_level_percent(),
            Support(resp.current()).service_level_percent() + 10);
  ExpectMatches("base", Support(resp.current()), base_real);
  ExpectMatches("3 more agents", Support(resp.proposed()), real.real.by_queue.at("support"));
}

// A queue that needs billing 3, served by 8 experts and 10 novices (billing 1) whom a bullseye
// step lets in after 2 s. The proposal removes the step: only the experts serve, the service
// level falls, as a real run without the step shows. (Waits that hinge on a race between an
// expert freeing and the step opening vary from real run to real run by several percent on
// the same arrivals; 60 s of arrivals keep that well inside the 10 % bound.)
TEST(WhatIfE2E, RemovingABullseyeStepLowersTheServiceLevelAsARealRunDoes) {
  testing::Cluster cluster;
  v1::Queue with_step = SupportQueue(3);
  auto* skill = with_step.add_required_skills();
  skill->set_name("billing");
  skill->set_proficiency(3);
  auto* step = with_step.add_steps();
  step->set_after_seconds(2);
  auto* lower = step->add_lower_proficiency();
  lower->set_name("billing");
  lower->set_proficiency(1);
  v1::Queue without_step = with_step;
  without_step.clear_steps();
  auto agents = Agents("expert", 8, {{"billing", 4}});
  for (auto& a : Agents("novice", 10, {{"billing", 1}})) agents.push_back(a);

  e2e::ArrivalStreamSpec stream;
  stream.queue = "support";
  stream.rate_per_second = 7;
  stream.mean_handle_ms = 1500;
  auto arrivals = e2e::GenerateArrivals({stream}, 60000, 23, "step");
  testing::Cluster other;  // the real run without the step, at the same time
  Recorded real;
  std::thread proposed_run(
      [&] { real = RunAndRecord(other, "wistep2", without_step, agents, arrivals); });
  Recorded base = RunAndRecord(cluster, "wistep", with_step, agents, arrivals);
  proposed_run.join();
  ASSERT_FALSE(HasFailure());
  v1::WhatIfProposal proposal;
  *proposal.add_queues() = without_step;
  auto resp = WhatIf(cluster, base, &proposal);
  EXPECT_LT(Support(resp.proposed()).service_level_percent(),
            Support(resp.current()).service_level_percent() - 10);
  ExpectMatches("with the step", Support(resp.current()), base.real.by_queue.at("support"));
  ExpectMatches("without the step", Support(resp.proposed()), real.real.by_queue.at("support"));
}

// `workload export --follow-seconds` records live from the feed (for windows longer than the
// feed keeps): started before the agents log in, it sees the same arrivals and answers the run
// measured, and the agents' logins with their capacities.
TEST(WhatIfE2E, ALiveRecordingHasTheRunsArrivalsAndRoster) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("wilive");
  ApiClient api(cluster.endpoints());
  v1::PutQueueRequest put;
  *put.mutable_queue() = SupportQueue(2);
  v1::PutQueueResponse put_resp;
  ASSERT_TRUE(api.admin().PutQueue(ApiClient::Context(keys["admin"]).get(), put, &put_resp).ok());
  e2e::ArrivalStreamSpec stream;
  stream.queue = "support";
  stream.rate_per_second = 4;
  stream.mean_handle_ms = 500;
  auto arrivals = e2e::GenerateArrivals({stream}, 4000, 24, "live");
  std::string path = cluster.dir() + "/live.json";
  e2e::CommandResult exported;
  std::thread recorder([&] {
    exported =
        e2e::RunCommand({testing::BinDir() + "/omniroute-ctl", "workload", "export",
                         "--follow-seconds=12", "--routing-addr=" + cluster.endpoints().routing,
                         "--api-key=" + keys["admin"], "--out=" + path},
                        {}, "", cluster.dir(), 60000);
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // its snapshot and watch are up
  auto r = e2e::RunScenario(cluster, keys["admin"], keys["integrator"], keys["agent"],
                            Agents("a", 3), arrivals);
  recorder.join();
  ASSERT_EQ(exported.code, 0) << exported.err;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  v1::Workload w;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(text.str(), &w).ok()) << text.str();
  ASSERT_LT(r.run_ms, 10000) << "the run outlasted the recording";
  EXPECT_EQ(w.arrivals_size(), static_cast<int>(arrivals.size()));
  int64_t answered = 0, handled = 0;
  for (const auto& a : w.arrivals()) {
    answered += a.outcome() == "answered" ? 1 : 0;
    handled += a.handle_ms() > 0 ? 1 : 0;
  }
  EXPECT_EQ(answered, r.by_queue.at("support").answered);
  EXPECT_EQ(handled, answered);
  int logins = 0;
  for (const auto& c : w.roster()) {
    if (c.state() != v1::AGENT_STATE_AVAILABLE) continue;
    ++logins;
    ASSERT_EQ(c.capacities_size(), 1) << c.DebugString();
    EXPECT_EQ(c.capacities(0).channel(), v1::CHANNEL_CHAT);
  }
  EXPECT_EQ(logins, 3);
}

}  // namespace
}  // namespace omniroute
