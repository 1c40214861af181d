// A real Prometheus server (Debian's `prometheus` package) scrapes every replica while a known
// workload runs on one queue; the queue's service level computed in PromQL from the routing
// wait histogram must be the one the workload implies and the one routing's own Redis counters
// report.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/prometheus_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::Clock;
using e2e::kPrometheusBinary;
using e2e::PrometheusServer;
using e2e::QueryScalar;
using e2e::WaitForQuery;
using sim::ApiClient;

// ---- The workload -------------------------------------------------------------------------

// An agent desktop that follows its offers over WatchOffers, accepts each one at once and
// completes it right away, remembering the wait routing reports for it (AcceptOffer's
// assigned_at - queued_at, the value routing observes in omniroute_queue_wait_seconds).
class AcceptingAgent {
 public:
  AcceptingAgent(ApiClient* api, std::string key, std::string id)
      : api_(api), key_(std::move(key)), id_(std::move(id)) {}
  ~AcceptingAgent() {
    if (ctx_) ctx_->TryCancel();
    if (thread_.joinable()) thread_.join();
  }

  // Logs in AVAILABLE (chat capacity 4) and starts following offers.
  grpc::Status Start() {
    auto st = SetState(v1::AGENT_STATE_AVAILABLE);
    if (!st.ok()) return st;
    ctx_ = ApiClient::Context(key_, std::chrono::seconds(120));
    thread_ = std::thread([this] { Loop(); });
    return st;
  }

  grpc::Status SetState(v1::AgentState state) {
    v1::SetAgentStateRequest r;
    r.set_agent_id(id_);
    r.set_state(state);
    auto* c = r.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(4);
    v1::SetAgentStateResponse resp;
    return api_->routing().SetAgentState(ApiClient::Context(key_).get(), r, &resp);
  }

  struct Accepted {
    int64_t wait_ms = 0;         // routing's: assigned_at - queued_at
    Clock::time_point accepted;  // when AcceptOffer returned, by the test's clock
  };
  std::map<std::string, Accepted> accepted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_;
  }
  size_t accepted_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_.size();
  }

 private:
  void Loop() {
    v1::WatchOffersRequest req;
    req.set_agent_id(id_);
    auto reader = api_->routing().WatchOffers(ctx_.get(), req);
    v1::Offer offer;
    while (reader->Read(&offer)) {
      if (offer.rescinded()) continue;
      v1::AcceptOfferRequest a;
      a.set_agent_id(id_);
      a.set_interaction_id(offer.interaction_id());
      v1::AcceptOfferResponse ar;
      if (!api_->routing().AcceptOffer(ApiClient::Context(key_).get(), a, &ar).ok()) continue;
      const auto& ix = ar.interaction();
      {
        std::lock_guard<std::mutex> lock(mu_);
        accepted_[ix.interaction_id()] = {ix.assigned_at_ms() - ix.queued_at_ms(), Clock::now()};
      }
      v1::CompleteInteractionRequest c;
      c.set_agent_id(id_);
      c.set_interaction_id(ix.interaction_id());
      v1::CompleteInteractionResponse cr;
      (void)api_->routing().CompleteInteraction(ApiClient::Context(key_).get(), c, &cr);
    }
    (void)reader->Finish();
  }

  ApiClient* api_;
  const std::string key_;
  const std::string id_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, Accepted> accepted_ ABSL_GUARDED_BY(mu_);
};

// ---- The test -----------------------------------------------------------------------------

// Ten chats on a queue with a 1 s SLA: four answered at once (agent available), six after
// waiting over 2 s (agent away). Waits stay far from the 1 s bucket boundary (fast < 0.5 s,
// slow > 1.5 s), so exactly 4 of 10 land in le="1" and the service level is 0.4.
TEST(PrometheusE2E, QueueServiceLevelFromTheWaitHistogramMatchesTheWorkload) {
  if (access(kPrometheusBinary, X_OK) != 0) {
    GTEST_SKIP() << kPrometheusBinary << " is missing (Debian package `prometheus`; "
                 << "scripts/install-deps.sh installs it)";
  }
  const auto started = Clock::now();
  constexpr int kFast = 4;
  constexpr int kSlow = 6;
  constexpr int64_t kHoldMs = 2000;  // how long the slow ones wait at least
  const std::string tenant = "promco";
  const std::string queue = "sl";

  testing::Cluster cluster;
  e2e::PrometheusOptions options;
  options.rule_files = {OMNIROUTE_SOURCE_DIR "/deploy/prometheus/rules/*.yml"};
  PrometheusServer prom(cluster, options);
  ASSERT_TRUE(prom.WaitReady(std::chrono::seconds(30))) << "prometheus not ready after 30 s; log:\n"
                                                        << prom.ReadLog();
  auto keys = cluster.CreateTenant(tenant);
  ApiClient api(cluster.endpoints());
  e2e::SetUpSlaQueue(api, keys["admin"], queue, 1);
  if (HasFatalFailure()) return;
  const int port = prom.port();
  auto up = WaitForQuery(
      port, "count(up{job=~\"omniroute-.*\"} == 1)",
      [&](double v) { return v == static_cast<double>(cluster.replicas().size()); },
      std::chrono::seconds(15));
  ASSERT_TRUE(up.ok()) << up.status();
  ASSERT_EQ(*up, static_cast<double>(cluster.replicas().size())) << "targets not all up";

  const std::string sel = absl::StrCat("tenant=\"", tenant, "\",queue=\"", queue, "\"");
  const std::string count_q = absl::StrCat("sum(omniroute_queue_wait_seconds_count{", sel, "})");
  const std::string integrator = keys["integrator"];
  std::map<std::string, Clock::time_point> submitted;  // id -> when intake acknowledged it
  auto submit = [&](const std::string& subject) {
    std::string id = e2e::SubmitChat(api, integrator, subject);
    submitted[id] = Clock::now();
    return id;
  };

  // Routing creates a queue's wait histogram and SLA counters at zero when it first sees the
  // queue, so increase() over a window counts even the first accept. Wait until Prometheus
  // has scraped them at zero before any work arrives.
  auto baseline = WaitForQuery(
      port, count_q, [](double v) { return v == 0; }, std::chrono::seconds(15));
  ASSERT_TRUE(baseline.ok() && *baseline == 0) << baseline.status() << " " << baseline.value_or(-1);
  auto zero_breaches = WaitForQuery(
      port, absl::StrCat("sum(omniroute_queue_sla_total{", sel, ",outcome=\"breached\"})"),
      [](double v) { return v == 0; }, std::chrono::seconds(15));
  ASSERT_TRUE(zero_breaches.ok()) << zero_breaches.status();
  // Intake replicas create the queue's abandoned counter at zero too.
  auto zero_abandoned = WaitForQuery(
      port, absl::StrCat("sum(omniroute_queue_abandoned_total{", sel, "})"),
      [](double v) { return v == 0; }, std::chrono::seconds(15));
  ASSERT_TRUE(zero_abandoned.ok()) << zero_abandoned.status();

  // Fast: the agent is available.
  AcceptingAgent agent(&api, keys["agent"], "agent-1");
  ASSERT_TRUE(agent.Start().ok());
  std::vector<std::string> fast;
  for (int i = 0; i < kFast; ++i) fast.push_back(submit("fast " + std::to_string(i)));
  ASSERT_TRUE(
      e2e::WaitFor([&] { return agent.accepted_count() == kFast; }, std::chrono::seconds(10)));

  // Slow: the agent is away until every slow chat has waited kHoldMs in the queue.
  ASSERT_TRUE(agent.SetState(v1::AGENT_STATE_AWAY).ok());
  std::vector<std::string> slow;
  for (int i = 0; i < kSlow; ++i) slow.push_back(submit("slow " + std::to_string(i)));
  int64_t newest_queued_ms = 0;
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        newest_queued_ms = 0;
        for (const auto& id : slow) {
          auto ix = e2e::GetInteraction(api, integrator, id);
          if (ix.state() != v1::INTERACTION_STATE_QUEUED) return false;
          newest_queued_ms = std::max(newest_queued_ms, ix.queued_at_ms());
        }
        return true;
      },
      std::chrono::seconds(10)))
      << "the slow chats did not all wait in the queue";
  ASSERT_TRUE(e2e::WaitFor([&] { return e2e::WallMs() - newest_queued_ms >= kHoldMs; },
                           std::chrono::milliseconds(kHoldMs + 1000)));
  ASSERT_TRUE(agent.SetState(v1::AGENT_STATE_AVAILABLE).ok());
  ASSERT_TRUE(e2e::WaitFor([&] { return agent.accepted_count() == kFast + kSlow; },
                           std::chrono::seconds(10)))
      << agent.accepted_count() << " of " << kFast + kSlow << " accepted";

  // Ground truth: the waits routing reported on accept, and its Redis-side queue counters.
  auto accepted = agent.accepted();
  int within_sla = 0;
  int64_t fast_max_ms = 0, slow_min_ms = std::numeric_limits<int64_t>::max();
  double own_fast_max_s = 0, own_slow_min_s = 1e9;  // submit -> accepted, by the test's clock
  for (const auto& [id, a] : accepted) {
    const bool is_fast = std::find(fast.begin(), fast.end(), id) != fast.end();
    const double own = std::chrono::duration<double>(a.accepted - submitted[id]).count();
    within_sla += a.wait_ms <= 1000 ? 1 : 0;
    if (is_fast) {
      EXPECT_LT(a.wait_ms, 500) << "fast chat " << id << " waited near the 1 s boundary";
      fast_max_ms = std::max(fast_max_ms, a.wait_ms);
      own_fast_max_s = std::max(own_fast_max_s, own);
    } else {
      EXPECT_GT(a.wait_ms, 1500) << "slow chat " << id << " waited near the 1 s boundary";
      slow_min_ms = std::min(slow_min_ms, a.wait_ms);
      own_slow_min_s = std::min(own_slow_min_s, own);
    }
  }
  EXPECT_EQ(within_sla, kFast);
  const double expected = static_cast<double>(within_sla) / static_cast<double>(accepted.size());
  v1::GetQueueStatsRequest sreq;
  sreq.set_queue(queue);
  v1::GetQueueStatsResponse stats;
  ASSERT_TRUE(
      api.routing().GetQueueStats(ApiClient::Context(keys["supervisor"]).get(), sreq, &stats).ok());
  EXPECT_EQ(stats.answered(), kFast + kSlow);
  EXPECT_EQ(stats.answered_within_sla(), within_sla);
  EXPECT_EQ(stats.abandoned(), 0);
  EXPECT_DOUBLE_EQ(stats.service_level(), expected);

  // Prometheus has scraped the final state once the count is all accepts.
  auto total = WaitForQuery(
      port, count_q, [&](double v) { return v == kFast + kSlow; }, std::chrono::seconds(15));
  ASSERT_TRUE(total.ok()) << total.status();
  ASSERT_EQ(*total, kFast + kSlow) << "Prometheus never saw every accept";

  // Service level since the series exist: the le="1" bucket over the count.
  auto histogram_sl = QueryScalar(port, absl::StrCat("sum(omniroute_queue_wait_seconds_bucket{",
                                                     sel, ",le=\"1\"}) / ", count_q));
  ASSERT_TRUE(histogram_sl.ok()) << histogram_sl.status();
  EXPECT_NEAR(*histogram_sl, expected, 1e-9);
  EXPECT_NEAR(*histogram_sl, stats.service_level(), 1e-9);

  // The same over a 5 m window, as dashboards and alerts compute it. The series existed at
  // zero before the first accept, so the window holds every accept. Both series are
  // extrapolated alike, and so cancel, once the count series has 12+ samples in the window
  // (Prometheus extrapolates a counter towards zero, differently per series, when that is
  // nearer than 1.1 intervals).
  auto samples = WaitForQuery(
      port, absl::StrCat("max(count_over_time(omniroute_queue_wait_seconds_count{", sel, "}[5m]))"),
      [](double v) { return v >= 12; }, std::chrono::seconds(20));
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_GE(*samples, 12) << "too few scrapes of the count series in the window";
  auto windowed_sl = QueryScalar(
      port, absl::StrCat("sum(increase(omniroute_queue_wait_seconds_bucket{", sel,
                         ",le=\"1\"}[5m])) / sum(increase(omniroute_queue_wait_seconds_count{", sel,
                         "}[5m]))"));
  ASSERT_TRUE(windowed_sl.ok()) << windowed_sl.status();
  EXPECT_NEAR(*windowed_sl, expected, 1e-6);

  // The SLA counters (met / breached, counted on accept) and the recording rule the
  // dashboards and the SLA alert use, as deploy/prometheus/rules defines it.
  auto counter_sl = QueryScalar(
      port, absl::StrCat("sum(increase(omniroute_queue_sla_total{", sel,
                         ",outcome=\"met\"}[5m])) / sum(increase(omniroute_queue_sla_total{", sel,
                         "}[5m]))"));
  ASSERT_TRUE(counter_sl.ok()) << counter_sl.status();
  EXPECT_NEAR(*counter_sl, expected, 1e-6);
  auto rule_sl = WaitForQuery(
      port, absl::StrCat("omniroute:queue_service_level:ratio_rate5m{", sel, "}"),
      [&](double v) { return std::abs(v - expected) < 1e-6; }, std::chrono::seconds(15));
  ASSERT_TRUE(rule_sl.ok()) << rule_sl.status();
  EXPECT_NEAR(*rule_sl, expected, 1e-6);

  std::printf(
      "prometheus: expected=%.4f histogram=%.4f increase_5m=%.4f sla_counters_5m=%.4f "
      "recording_rule=%.4f queue_stats=%.4f "
      "(answered=%lld within_sla=%lld) routing waits fast<=%lldms slow>=%lldms, own "
      "submit->accept fast<=%.3fs slow>=%.3fs, total=%.1fs\n",
      expected, *histogram_sl, *windowed_sl, *counter_sl, *rule_sl, stats.service_level(),
      static_cast<long long>(stats.answered()), static_cast<long long>(stats.answered_within_sla()),
      static_cast<long long>(fast_max_ms), static_cast<long long>(slow_min_ms), own_fast_max_s,
      own_slow_min_s, e2e::SecondsSince(started));
  std::fflush(stdout);
}

}  // namespace
}  // namespace omniroute
