#include "services/whatif/replay_stats.h"

#include <algorithm>
#include <cmath>

#include "services/common/tenant_config.h"

namespace omniroute::whatif {

RunTally::Cell& RunTally::CellOf(const std::string& queue, v1::Priority priority) {
  return cells_[{queue, static_cast<int>(priority)}];
}

void RunTally::Answered(const std::string& queue, v1::Priority priority, int64_t wait_ms) {
  auto it = sla_s_.find(queue);
  bool within = it != sla_s_.end() && wait_ms <= int64_t{it->second} * 1000;
  for (auto* cell : {&CellOf(queue, priority), &CellOf(queue, v1::PRIORITY_UNSPECIFIED)}) {
    cell->waits.push_back(wait_ms);
    cell->within += within ? 1 : 0;
  }
}

void RunTally::Abandoned(const std::string& queue, v1::Priority priority) {
  ++CellOf(queue, priority).abandoned;
  ++CellOf(queue, v1::PRIORITY_UNSPECIFIED).abandoned;
}

v1::WhatIfRun RunTally::Finish(int64_t arrivals) const {
  v1::WhatIfRun run;
  int64_t ended = rejected_ + before_queue_;
  for (const auto& [key, cell] : cells_) {
    auto* r = run.add_queues();
    r->set_queue(key.first);
    r->set_priority(static_cast<v1::Priority>(key.second));
    auto sla = sla_s_.find(key.first);
    r->set_sla_threshold_seconds(sla == sla_s_.end() ? 0 : sla->second);
    int64_t answered = static_cast<int64_t>(cell.waits.size());
    r->set_answered(answered);
    r->set_abandoned(cell.abandoned);
    r->set_answered_within_sla(cell.within);
    int64_t offered = answered + cell.abandoned;
    if (key.second == 0) ended += offered;
    if (offered > 0) {
      r->set_service_level_percent(100.0 * cell.within / offered);
      r->set_abandoned_percent(100.0 * cell.abandoned / offered);
    }
    if (answered > 0) {
      std::vector<int64_t> w = cell.waits;
      double sum = 0;
      for (int64_t x : w) sum += x;
      r->set_mean_wait_seconds(sum / answered / 1000.0);
      size_t k = static_cast<size_t>(std::ceil(0.9 * answered)) - 1;
      std::nth_element(w.begin(), w.begin() + k, w.end());
      r->set_p90_wait_seconds(w[k] / 1000.0);
    }
  }
  run.set_arrivals(arrivals);
  run.set_rejected(rejected_);
  run.set_canceled_before_queue(before_queue_);
  run.set_open_at_end(std::max<int64_t>(0, arrivals - ended));
  if (signed_in_ms_ > 0) run.set_occupancy_percent(100.0 * busy_ms_ / signed_in_ms_);
  return run;
}

std::map<std::string, int> SlaSeconds(const std::vector<v1::Queue>& queues) {
  std::map<std::string, int> out;
  for (const auto& q : queues) out[q.name()] = QueueWithDefaults(q).sla_threshold_seconds();
  return out;
}

int64_t SignedInMs(const std::vector<v1::WorkloadAgentChange>& roster, int64_t window_ms) {
  std::map<std::string, std::pair<bool, int64_t>> on;  // agent -> (signed in, since)
  int64_t total = 0;
  for (const auto& c : roster) {
    int64_t at = std::clamp<int64_t>(c.at_ms(), 0, window_ms);
    auto& [signed_in, since] = on[c.agent_id()];
    if (signed_in) total += at - since;
    signed_in = c.state() == v1::AGENT_STATE_AVAILABLE || c.state() == v1::AGENT_STATE_AWAY;
    since = at;
  }
  for (const auto& [agent, s] : on) {
    if (s.first) total += window_ms - s.second;
  }
  return total;
}

v1::WhatIfRun RecordedRun(const v1::Workload& w) {
  std::vector<v1::Queue> queues(w.queues().begin(), w.queues().end());
  std::map<std::string, int64_t> wrap_ms;
  for (const auto& q : queues) wrap_ms[q.name()] = int64_t{q.wrap_up_seconds()} * 1000;
  RunTally tally(SlaSeconds(queues));
  for (const auto& a : w.arrivals()) {
    if (a.outcome() == "answered") {
      tally.Answered(a.answered_queue(), a.priority(), a.wait_ms());
      tally.Busy(a.handle_ms() + wrap_ms[a.answered_queue()]);
    } else if (a.outcome() == "abandoned" && a.answered_queue().empty()) {
      tally.CanceledBeforeQueue();  // gave up before routing queued it: no queue counts it
    } else if (a.outcome() == "abandoned") {
      tally.Abandoned(a.answered_queue(), a.priority());
    } else if (a.outcome() == "rejected") {
      tally.Rejected();
    }
  }
  std::vector<v1::WorkloadAgentChange> roster(w.roster().begin(), w.roster().end());
  tally.SignedIn(SignedInMs(roster, w.end_ms() - w.start_ms()));
  return tally.Finish(w.arrivals_size());
}

PatienceModel::PatienceModel(const v1::Workload& w) {
  // (time, abandoned) per queue; answered work is censored at its wait.
  std::map<std::string, std::vector<std::pair<int64_t, bool>>> obs;
  for (const auto& a : w.arrivals()) {
    if (a.outcome() == "abandoned") obs[a.queue()].push_back({a.patience_ms(), true});
    if (a.outcome() == "answered") obs[a.queue()].push_back({a.wait_ms(), false});
  }
  for (auto& [queue, v] : obs) {
    // Censored observations at the same time as an abandonment count as still at risk.
    std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first < y.first : x.second > y.second;
    });
    double s = 1.0;
    size_t at_risk = v.size();
    auto& curve = survival_[queue];
    for (const auto& [t, abandoned] : v) {
      if (abandoned) {
        s *= 1.0 - 1.0 / static_cast<double>(at_risk);
        curve.push_back({t, s});
      }
      --at_risk;
    }
  }
}

std::optional<int64_t> PatienceModel::Draw(const std::string& queue, int64_t at_least_ms,
                                           std::mt19937_64& rng) const {
  auto it = survival_.find(queue);
  if (it == survival_.end() || it->second.empty()) return std::nullopt;
  const auto& curve = it->second;
  // S(at_least): the survival at the known lower bound.
  double s0 = 1.0;
  for (const auto& [t, s] : curve) {
    if (t > at_least_ms) break;
    s0 = s;
  }
  // Inverse transform on the conditional survival S(t) / S(at_least).
  double target = std::uniform_real_distribution<double>(0.0, 1.0)(rng) * s0;
  for (const auto& [t, s] : curve) {
    if (t > at_least_ms && s <= target) return t;
  }
  return std::nullopt;
}

}  // namespace omniroute::whatif
