// The workload scenario driver (workload_scenario.h) against the real services: one chat queue,
// ten agents, Poisson arrivals with exponential handle times and patience. Every arrival must
// end answered or abandoned, the agents must have held each interaction for its drawn handle
// time, the customers must have hung up at their drawn patience, and the driver's measures
// must be the queue's own counters (GetQueueStats).
#include "tests/e2e/workload_scenario.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::ArrivalEnd;
using sim::ApiClient;

constexpr int kAgents = 10;
constexpr double kRate = 8;             // arrivals per second
constexpr double kMeanHandleMs = 1000;  // offered load 8 Erlang on 10 agents
constexpr double kMeanPatienceMs = 4000;
constexpr int kSlaSeconds = 2;
constexpr int64_t kDurationMs = 40000;
constexpr uint64_t kSeed = 7;
// The customer's hang-up and the agent's completion are timer actions of the driver: each
// must land on the feed within this much of its due time (generous: two busy cores), and on
// average within the smaller bound.
constexpr int64_t kTimerSlackMs = 1000;
constexpr double kMeanTimerSlackMs = 100;

TEST(WorkloadScenarioE2E, EveryArrivalEndsAndTheMeasuresAreTheQueuesOwn) {
  const auto started = e2e::Clock::now();
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("wlco");
  ApiClient api(cluster.endpoints());
  e2e::SetUpSlaQueue(api, keys["admin"], "support", kSlaSeconds);
  if (HasFatalFailure()) return;

  e2e::ArrivalStreamSpec stream;
  stream.queue = "support";
  stream.rate_per_second = kRate;
  stream.mean_handle_ms = kMeanHandleMs;
  stream.mean_patience_ms = kMeanPatienceMs;
  const auto arrivals = e2e::GenerateArrivals({stream}, kDurationMs, kSeed);
  ASSERT_GT(arrivals.size(), 200u);
  std::vector<e2e::ScenarioAgent> agents;
  std::set<std::string> agent_ids;
  for (int i = 0; i < kAgents; ++i) {
    agents.push_back({"agent-" + std::to_string(i), {}, {{v1::CHANNEL_CHAT, 1}}});
    agent_ids.insert(agents.back().id);
  }

  const auto r =
      e2e::RunScenario(cluster, keys["admin"], keys["integrator"], keys["agent"], agents, arrivals);
  for (const auto& p : r.problems) ADD_FAILURE() << "driver problem: " << p;
  EXPECT_EQ(r.lost, 0);
  EXPECT_EQ(r.submit_failed, 0);
  EXPECT_EQ(r.rejected, 0);
  ASSERT_EQ(r.outcomes.size(), arrivals.size());
  ASSERT_EQ(r.by_queue.size(), 1u) << "work ended in a queue other than support";
  const e2e::QueueMeasure& m = r.by_queue.at("support");
  EXPECT_EQ(m.arrived, static_cast<int64_t>(arrivals.size()));
  EXPECT_EQ(m.answered + m.abandoned + r.canceled_before_queue, m.arrived);
  EXPECT_EQ(m.sla_threshold_ms, kSlaSeconds * 1000);

  // Each outcome against its arrival's ground truth.
  int64_t handle_error_ms = 0, patience_error_ms = 0, max_handle_error_ms = 0;
  int64_t drawn_handle_ms = 0, all_handle_ms = 0;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    const auto& a = arrivals[i];
    const auto& o = r.outcomes[i];
    all_handle_ms += a.handle_ms;
    if (o.end == ArrivalEnd::kAnswered) {
      EXPECT_EQ(o.queue, "support");
      EXPECT_TRUE(agent_ids.count(o.agent_id)) << o.agent_id;
      EXPECT_GE(o.wait_ms, 0) << a.key;
      // Waiting longer than its patience, the customer would have hung up first.
      EXPECT_LE(o.wait_ms, a.patience_ms + kTimerSlackMs) << a.key;
      const int64_t held = o.ended_ms - o.accepted_ms;
      // (-1: both ends are whole ms of the services' clock.)
      EXPECT_GE(held, a.handle_ms - 1) << a.key << " completed before its handle time";
      EXPECT_LE(held, a.handle_ms + kTimerSlackMs) << a.key;
      handle_error_ms += held - a.handle_ms;
      max_handle_error_ms = std::max(max_handle_error_ms, held - a.handle_ms);
      drawn_handle_ms += a.handle_ms;
    } else {
      EXPECT_TRUE(o.end == ArrivalEnd::kAbandoned || o.end == ArrivalEnd::kCanceledBeforeQueue)
          << a.key << " ended " << static_cast<int>(o.end);
      ASSERT_GT(a.patience_ms, 0) << a.key << " abandoned without a patience";
      const int64_t patience_seen = o.ended_ms - o.submit_ms;
      EXPECT_GE(patience_seen, a.patience_ms - 1) << a.key << " hung up early";
      EXPECT_LE(patience_seen, a.patience_ms + kTimerSlackMs) << a.key << " hung up late";
      patience_error_ms += patience_seen - a.patience_ms;
    }
  }
  ASSERT_GT(m.answered, 0);
  const int64_t n_answered = m.answered;
  const int64_t n_ended = std::max<int64_t>(1, m.abandoned + r.canceled_before_queue);
  EXPECT_LT(static_cast<double>(handle_error_ms) / n_answered, kMeanTimerSlackMs);
  EXPECT_LT(static_cast<double>(patience_error_ms) / n_ended, kMeanTimerSlackMs);

  // Occupancy: the answered work's handle time over the agents' time; at most the load the
  // draw offered over the run (all arrivals' handle time), and not far under it (a few
  // percent abandon); near the nominal offered load.
  const double offered = kRate * kMeanHandleMs / 1000.0 / kAgents;
  const double drawn_load = static_cast<double>(all_handle_ms) / kAgents / r.run_ms;
  EXPECT_NEAR(r.occupancy, static_cast<double>(drawn_handle_ms) / kAgents / r.run_ms, 1e-9);
  EXPECT_LE(r.occupancy, drawn_load);
  EXPECT_GE(r.occupancy, 0.8 * drawn_load);
  EXPECT_LE(r.occupancy, 1.0);
  EXPECT_GE(r.occupancy, 0.7 * offered);
  EXPECT_LE(r.occupancy, 1.25 * offered);

  // The queue's own counters.
  v1::GetQueueStatsRequest sreq;
  sreq.set_queue("support");
  v1::GetQueueStatsResponse stats;
  auto st = api.routing().GetQueueStats(ApiClient::Context(keys["supervisor"]).get(), sreq, &stats);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(stats.answered(), m.answered);
  EXPECT_EQ(stats.abandoned(), m.abandoned);
  EXPECT_EQ(stats.completed(), m.answered);
  EXPECT_EQ(stats.answered_within_sla(), m.answered_within_sl);
  EXPECT_NEAR(stats.service_level() * 100, m.ServiceLevelPercent(), 1e-9);
  EXPECT_EQ(stats.waiting(), 0);

  std::printf(
      "workload: arrivals=%zu answered=%lld abandoned=%lld canceled_before_queue=%lld lost=%lld "
      "within_sl=%lld SL=%.2f%% (queue stats %.2f%%) mean_wait=%.1fms p90_wait=%.1fms "
      "occupancy=%.3f (offered %.3f, drawn %.3f) run=%.1fs max_submit_lag=%lldms "
      "handle overshoot mean=%.1fms max=%lldms, hang-up overshoot mean=%.1fms, total=%.1fs\n",
      arrivals.size(), static_cast<long long>(m.answered), static_cast<long long>(m.abandoned),
      static_cast<long long>(r.canceled_before_queue), static_cast<long long>(r.lost),
      static_cast<long long>(m.answered_within_sl), m.ServiceLevelPercent(),
      stats.service_level() * 100, m.mean_wait_ms, m.p90_wait_ms, r.occupancy, offered, drawn_load,
      r.run_ms / 1000.0, static_cast<long long>(r.max_submit_lag_ms),
      static_cast<double>(handle_error_ms) / static_cast<double>(n_answered),
      static_cast<long long>(max_handle_error_ms),
      static_cast<double>(patience_error_ms) / static_cast<double>(n_ended),
      e2e::SecondsSince(started));
  std::fflush(stdout);
}

}  // namespace
}  // namespace omniroute
