#include "tests/e2e/workload_scenario.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <thread>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/workload_scenario_parts.h"
#include "tools/sim/percentile.h"

namespace omniroute::e2e {
namespace {

using sim::ApiClient;

constexpr auto kRetryPause = std::chrono::milliseconds(100);
constexpr int kMaxAttempts = 20;
constexpr auto kPollEvery = std::chrono::milliseconds(20);

// The drivers' threads around one run; stopped in the order that lets each finish cleanly.
struct Run {
  Run(testing::Cluster& cluster, const std::vector<ScenarioArrival>& arrivals,
      const std::string& admin_key)
      : api(cluster.endpoints()), ledger(arrivals), feed(&api, admin_key, &ledger) {}
  ~Run() { Stop(); }
  // Agents first (no new work for the timers), then the timers (no completion left running),
  // then the feed.
  void Stop() {
    for (auto& agent : agents) agent->Stop();
    timers.Stop();
    feed.Stop();
  }

  ApiClient api;
  ScenarioLedger ledger;
  FeedFollower feed;
  ActionTimers timers;
  std::vector<std::unique_ptr<ScenarioAgentLoop>> agents;
};

// Sends arrival `i`'s Submit, retrying what a retry may cure under the same idempotency key.
// Returns the interaction id, or "" after recording the problem.
std::string Submit(Run& run, const std::string& key, const ScenarioArrival& a) {
  v1::SubmitInteractionRequest req;
  req.set_channel(a.channel);
  req.set_priority(a.priority);
  req.set_queue(a.queue);
  req.set_idempotency_key(a.key);
  (*req.mutable_attributes())["sim_key"] = a.key;
  (*req.mutable_attributes())["sim_handle_ms"] = std::to_string(a.handle_ms);
  v1::SubmitInteractionResponse resp;
  grpc::Status st;
  int attempt = 0;
  for (; attempt < kMaxAttempts; ++attempt) {
    st = run.api.intake().SubmitInteraction(ApiClient::Context(key).get(), req, &resp);
    if (!Retryable(st)) break;
    std::this_thread::sleep_for(kRetryPause);
  }
  if (!st.ok()) {
    run.ledger.Problem("SubmitInteraction: " + st.error_message());
    return "";
  }
  // A retry may find what an attempt whose answer was lost created; a first attempt may not.
  if (!resp.created() && attempt == 0) {
    run.ledger.Problem("SubmitInteraction: idempotency key used before (created=false)");
    return "";
  }
  return resp.interaction_id();
}

// The customer of arrival `i` hangs up unless an agent has accepted it.
void HangUp(Run& run, const std::string& key, const std::string& reason, size_t i, int attempt) {
  if (run.ledger.Accepted(i)) return;
  v1::CancelInteractionRequest req;
  req.set_interaction_id(run.ledger.InteractionId(i));
  req.set_reason(reason);
  v1::CancelInteractionResponse resp;
  auto st = run.api.intake().CancelInteraction(ApiClient::Context(key).get(), req, &resp);
  // FAILED_PRECONDITION: an agent accepted it first (the feed tells).
  if (st.ok() || st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) return;
  if (Retryable(st) && attempt + 1 < kMaxAttempts) {
    run.timers.At(ScenarioClock::now() + kRetryPause,
                  [&run, key, reason, i, attempt] { HangUp(run, key, reason, i, attempt + 1); });
    return;
  }
  run.ledger.Problem("CancelInteraction: " + st.error_message());
}

// Submits every arrival at its time (from `start`) from this thread.
void SubmitAll(Run& run, ScenarioClock::time_point start, const std::string& key,
               const std::string& reason, std::vector<ArrivalOutcome>& outcomes) {
  const auto& arrivals = run.ledger.arrivals();
  std::vector<size_t> order(arrivals.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return arrivals[a].at_ms < arrivals[b].at_ms; });
  for (size_t i : order) {
    const ScenarioArrival& a = arrivals[i];
    const auto due = start + std::chrono::milliseconds(a.at_ms);
    std::this_thread::sleep_until(due);
    const auto sent = ScenarioClock::now();
    outcomes[i].submit_ms = WallMs();
    outcomes[i].submit_lag_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(sent - due).count();
    std::string id = Submit(run, key, a);
    if (id.empty()) {
      outcomes[i].end = ArrivalEnd::kSubmitFailed;
      continue;
    }
    outcomes[i].interaction_id = id;
    run.ledger.SetInteractionId(i, id);
    if (a.patience_ms > 0) {
      run.timers.At(sent + std::chrono::milliseconds(a.patience_ms),
                    [&run, key, reason, i] { HangUp(run, key, reason, i, 0); });
    }
  }
}

// The interaction ids of the arrivals that were submitted.
std::vector<std::string> SubmittedIds(const std::vector<ArrivalOutcome>& outcomes) {
  std::vector<std::string> ids;
  for (const auto& o : outcomes) {
    if (!o.interaction_id.empty()) ids.push_back(o.interaction_id);
  }
  return ids;
}

// Fills each outcome from the feed, and the per-queue counts.
void Measure(Run& run, const std::string& admin_key, int64_t start_wall_ms, size_t agent_count,
             ScenarioResult& result) {
  const auto& arrivals = run.ledger.arrivals();
  std::map<std::string, std::vector<double>> waits;
  int64_t handled_ms = 0, last_end_ms = start_wall_ms;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    ArrivalOutcome& o = result.outcomes[i];
    ++result.by_queue[arrivals[i].queue].arrived;
    result.max_submit_lag_ms = std::max(result.max_submit_lag_ms, o.submit_lag_ms);
    if (o.end == ArrivalEnd::kSubmitFailed) {
      ++result.submit_failed;
      continue;
    }
    auto facts = run.feed.Facts(o.interaction_id);
    if (!facts || facts->end_type.empty()) {
      ++result.lost;
      continue;
    }
    o.ended_ms = facts->ended_ms;
    last_end_ms = std::max(last_end_ms, facts->ended_ms);
    if (facts->accepted) {
      o.end = ArrivalEnd::kAnswered;
      o.queue = facts->accepted_queue;
      o.agent_id = facts->agent;
      o.wait_ms = facts->wait_ms;
      o.accepted_ms = facts->accepted_ms;
      ++result.by_queue[o.queue].answered;
      waits[o.queue].push_back(static_cast<double>(facts->wait_ms));
      handled_ms += arrivals[i].handle_ms;
    } else if (facts->end_type == "canceled" &&
               (facts->canceled_from == "queued" || facts->canceled_from == "offered")) {
      o.end = ArrivalEnd::kAbandoned;
      o.queue = facts->end_queue;
      ++result.by_queue[o.queue].abandoned;
    } else if (facts->end_type == "canceled") {
      o.end = ArrivalEnd::kCanceledBeforeQueue;
      ++result.canceled_before_queue;
    } else {
      o.end = ArrivalEnd::kRejected;
      o.queue = facts->end_queue;
      ++result.rejected;
    }
  }
  for (auto& [name, m] : result.by_queue) {
    v1::GetQueueRequest req;
    req.set_name(name);
    v1::GetQueueResponse resp;
    auto st = run.api.admin().GetQueue(ApiClient::Context(admin_key).get(), req, &resp);
    if (!st.ok()) run.ledger.Problem("GetQueue " + name + ": " + st.error_message());
    m.sla_threshold_ms = int64_t{resp.queue().sla_threshold_seconds()} * 1000;
    auto& w = waits[name];
    if (w.empty()) continue;
    std::sort(w.begin(), w.end());
    m.answered_within_sl =
        std::upper_bound(w.begin(), w.end(), static_cast<double>(m.sla_threshold_ms)) - w.begin();
    m.mean_wait_ms = std::accumulate(w.begin(), w.end(), 0.0) / static_cast<double>(w.size());
    m.p90_wait_ms = sim::Percentile(w, 90);
  }
  result.run_ms = last_end_ms - start_wall_ms;
  if (agent_count > 0 && result.run_ms > 0) {
    result.occupancy = static_cast<double>(handled_ms) /
                       (static_cast<double>(agent_count) * static_cast<double>(result.run_ms));
  }
}

}  // namespace

double QueueMeasure::ServiceLevelPercent() const {
  if (answered + abandoned == 0) return 100;
  return 100.0 * static_cast<double>(answered_within_sl) /
         static_cast<double>(answered + abandoned);
}

ScenarioResult RunScenario(testing::Cluster& cluster, const std::string& admin_key,
                           const std::string& integrator_key, const std::string& agent_key,
                           const std::vector<ScenarioAgent>& agents,
                           const std::vector<ScenarioArrival>& arrivals,
                           const ScenarioOptions& options) {
  ScenarioResult result;
  result.outcomes.resize(arrivals.size());
  Run run(cluster, arrivals, admin_key);
  run.feed.Start();
  for (const auto& spec : agents) {
    run.agents.push_back(
        std::make_unique<ScenarioAgentLoop>(&run.api, agent_key, spec, &run.ledger, &run.timers));
    auto st = run.agents.back()->LogIn();
    if (!st.ok()) run.ledger.Problem("SetAgentState " + spec.id + ": " + st.error_message());
    run.agents.back()->Start();
  }
  const auto start = ScenarioClock::now();
  const int64_t start_wall_ms = WallMs();
  SubmitAll(run, start, integrator_key, options.abandon_reason, result.outcomes);
  const auto ids = SubmittedIds(result.outcomes);
  if (!WaitFor([&] { return run.feed.CountEnded(ids) == ids.size(); },
               std::chrono::milliseconds(options.drain_timeout_ms), kPollEvery)) {
    run.ledger.Problem("drain timeout: " + std::to_string(ids.size() - run.feed.CountEnded(ids)) +
                       " of " + std::to_string(ids.size()) + " arrivals unfinished");
  }
  run.Stop();
  for (size_t i = 0; i < agents.size(); ++i) {
    auto st = run.agents[i]->LogOut();
    if (!st.ok()) run.ledger.Problem("log out " + agents[i].id + ": " + st.error_message());
  }
  Measure(run, admin_key, start_wall_ms, agents.size(), result);
  result.problems = run.ledger.Problems();
  return result;
}

}  // namespace omniroute::e2e
