#include "load-tests/bench_round.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "load-tests/bench_report.h"
#include "load-tests/bench_submit.h"
#include "load-tests/cpu_counters.h"
#include "tools/sim/percentile.h"

namespace omniroute::bench {
namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Throughput and submit->offer latency of the interactions in `by_id` that got an offer.
void FillLatency(const SubmitPhase& phase,
                 const std::unordered_map<std::string, const SubmitRecord*>& by_id,
                 const std::unordered_map<std::string, Clock::time_point>& offers, RoundResult* r) {
  if (phase.ok.empty()) return;
  Clock::time_point first_sent = phase.ok.front().sent, last_ack = phase.ok.front().acked;
  for (const auto& s : phase.ok) {
    first_sent = std::min(first_sent, s.sent);
    last_ack = std::max(last_ack, s.acked);
  }
  r->intake_per_s = static_cast<double>(r->submitted) / Seconds(last_ack - first_sent);
  std::vector<double> lat, from_sent;
  lat.reserve(offers.size());
  from_sent.reserve(offers.size());
  Clock::time_point last_offer = first_sent;
  for (const auto& [id, at] : offers) {
    const SubmitRecord* s = by_id.at(id);
    from_sent.push_back(Ms(at - s->sent));
    double ms = Ms(at - s->acked);
    if (ms < 0) {
      ++r->early;  // the offer arrived before the bench saw the submit answer
      ms = 0;
    }
    lat.push_back(ms);
    last_offer = std::max(last_offer, at);
  }
  std::sort(lat.begin(), lat.end());
  r->seconds = Seconds(last_offer - first_sent);
  if (r->routed > 0) r->routed_per_s = static_cast<double>(r->routed) / r->seconds;
  r->p50 = sim::Percentile(lat, 50);
  r->p90 = sim::Percentile(lat, 90);
  r->p99 = sim::Percentile(lat, 99);
  std::sort(from_sent.begin(), from_sent.end());
  r->sent_p50 = sim::Percentile(from_sent, 50);
  r->sent_p99 = sim::Percentile(from_sent, 99);
  r->max = sim::Percentile(lat, 100);
}

// The client wall time of the SubmitInteractions calls answered OK.
void FillCalls(SubmitPhase& phase, RoundResult* r) {
  r->calls = static_cast<int64_t>(phase.call_ms.size());
  r->retried_calls = phase.retried_calls;
  std::vector<double>& ms = phase.call_ms;
  std::sort(ms.begin(), ms.end());
  r->call_p50 = sim::Percentile(ms, 50);
  r->call_p90 = sim::Percentile(ms, 90);
  r->call_p99 = sim::Percentile(ms, 99);
  r->call_max = sim::Percentile(ms, 100);
}

// The full life cycle: completions of this round's interactions per second since the first
// submit was sent.
void FillDone(const SubmitPhase& phase,
              const std::unordered_map<std::string, Clock::time_point>& done, RoundResult* r) {
  r->completed = static_cast<int64_t>(done.size());
  if (phase.ok.empty() || done.empty()) return;
  Clock::time_point first_sent = phase.ok.front().sent, last_done = done.begin()->second;
  for (const auto& s : phase.ok) first_sent = std::min(first_sent, s.sent);
  for (const auto& [id, at] : done) last_done = std::max(last_done, at);
  r->done_seconds = Seconds(last_done - first_sent);
  r->done_per_s = static_cast<double>(r->completed) / r->done_seconds;
}

// What one node did between `before` and `after` per interaction of `routed` (NaN for none).
MasterResult MasterShare(const RedisCounters& before, const RedisCounters& after, int64_t routed,
                         double wall_s) {
  MasterResult m;
  m.routed = routed;
  m.redis = RedisCostPer(before, after, routed > 0 ? static_cast<double>(routed) : std::nan(""));
  m.busy = m.redis.cpu_seconds / wall_s;
  return m;
}

}  // namespace

std::vector<MasterResult> RoundRunner::MasterShares(const std::vector<RedisCounters>& before,
                                                    const std::vector<RedisCounters>& after,
                                                    const std::vector<int64_t>& routed_by_tenant,
                                                    double wall_s) const {
  std::vector<int64_t> routed(before.size(), 0);
  for (size_t t = 0; t < tenants_->size(); ++t) {
    routed[(*tenants_)[t].node] += routed_by_tenant[t];
  }
  std::vector<MasterResult> out;
  for (size_t i = 0; i < before.size() && i < after.size(); ++i) {
    out.push_back(MasterShare(before[i], after[i], routed[i], wall_s));
  }
  return out;
}

RoundRunner::RoundRunner(sim::ApiClient* api, const std::vector<BenchTenant>* tenants,
                         const Config* cfg, std::vector<v1::Channel> channels, ArrivalLog* offers,
                         ArrivalLog* completions, Settler* settler,
                         std::map<std::string, pid_t> pids, const std::atomic<bool>* interrupted)
    : api_(api),
      tenants_(tenants),
      cfg_(cfg),
      channels_(std::move(channels)),
      offers_(offers),
      completions_(completions),
      settler_(settler),
      pids_(std::move(pids)),
      interrupted_(interrupted) {
  for (const auto& t : *tenants_) integrator_keys_.push_back(t.keys.integrator);
}

bool RoundRunner::WaitUntil(const std::function<bool()>& done, Clock::time_point deadline) const {
  while (!done()) {
    if (Clock::now() >= deadline || interrupted_->load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

RoundResult RoundRunner::Measure(int total, const std::string& key_prefix, RedisNodes* stats,
                                 const std::string& via) {
  RoundResult r;
  (void)offers_->Take();
  (void)completions_->Take();
  auto deadline = Clock::now() + std::chrono::seconds(cfg_->round_timeout_seconds);
  std::vector<RedisCounters> redis_before;
  if (stats != nullptr) redis_before = ReadRedisCounters(*stats);
  auto cpu_start = CpuNow(pids_, stats);
  auto wall_start = Clock::now();

  bool after_round = cfg_->settle == "after-round";
  if (after_round) settler_->Pause();
  // Samples how many offers the agents hold (offered, not yet completed) every 10 ms.
  std::atomic<bool> sampling{true};
  std::atomic<int64_t> max_held{0};
  std::thread sampler([&] {
    while (sampling.load()) {
      int64_t held = settler_->pending();
      if (held > max_held.load()) max_held.store(held);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  SubmitPhase phase = SubmitAll(*api_, integrator_keys_, *cfg_, channels_, total, key_prefix,
                                deadline, *interrupted_, via);
  r.via = via;
  r.failed = phase.failed_items;
  FillCalls(phase, &r);
  if (!phase.first_error.empty()) {
    std::printf("  warning: %lld items not accepted (%lld failed calls); first error: %s\n",
                static_cast<long long>(phase.failed_items),
                static_cast<long long>(phase.failed_calls), phase.first_error.c_str());
  }
  std::unordered_map<std::string, const SubmitRecord*> by_id;
  by_id.reserve(phase.ok.size());
  for (const auto& s : phase.ok) by_id.emplace(s.id, &s);
  r.submitted = static_cast<int64_t>(by_id.size());

  std::unordered_map<std::string, Clock::time_point> offers;
  offers.reserve(by_id.size());
  auto collect = [&] {
    for (auto& [id, at] : offers_->Take()) {
      if (by_id.count(id)) offers.emplace(id, at);
    }
    return offers.size() >= by_id.size();
  };
  if (!WaitUntil(collect, deadline)) {
    std::printf("  warning: only %zu of %zu interactions got an offer within %d s\n", offers.size(),
                by_id.size(), cfg_->round_timeout_seconds);
  }
  auto cpu_offered = CpuNow(pids_, stats);
  // Wait until the agents completed every routed interaction (or settled every offer they got:
  // an interaction whose accept or complete failed never completes), bounded, so the round
  // measures the whole life cycle and the next one starts with every agent's capacity free.
  // The agents hand an offer to the Settler before recording it, so once every offer is in the
  // log, pending() == 0 means settled.
  if (after_round) settler_->Resume();
  std::unordered_map<std::string, Clock::time_point> done;
  done.reserve(offers.size());
  auto collect_done = [&] {
    for (auto& [id, at] : completions_->Take()) {
      if (by_id.count(id)) done.emplace(id, at);
    }
    return done.size() >= offers.size() || settler_->pending() == 0;
  };
  if (!WaitUntil(collect_done, Clock::now() + std::chrono::seconds(cfg_->round_timeout_seconds))) {
    std::printf("  warning: only %zu of %zu offered interactions completed within %d s\n",
                done.size(), offers.size(), cfg_->round_timeout_seconds);
  }
  (void)collect_done();
  auto cpu_done = CpuNow(pids_, nullptr);
  std::vector<RedisCounters> redis_done;
  if (stats != nullptr) redis_done = ReadRedisCounters(*stats);
  auto wall = Clock::now() - wall_start;
  sampling.store(false);
  sampler.join();
  r.max_held = max_held.load();

  r.routed = static_cast<int64_t>(offers.size());
  FillLatency(phase, by_id, offers, &r);
  FillDone(phase, done, &r);
  if (r.completed < r.routed) {
    std::printf("  warning: %lld of %lld offered interactions did not complete\n",
                static_cast<long long>(r.routed - r.completed), static_cast<long long>(r.routed));
  }

  double routed = static_cast<double>(std::max<int64_t>(1, r.routed));
  double completed = static_cast<double>(std::max<int64_t>(1, r.completed));
  double wall_s = Seconds(wall);
  double total_cpu = 0;
  r.routed_by_tenant.assign(tenants_->size(), 0);
  for (const auto& [id, at] : offers) ++r.routed_by_tenant[by_id.at(id)->tenant];
  if (stats != nullptr) {
    RedisCounters before = SumCounters(redis_before), after = SumCounters(redis_done);
    r.redis = RedisCostPer(before, after, completed);
    r.redis_busy = r.redis.cpu_seconds / wall_s;
    total_cpu += r.redis.cpu_seconds;
    r.masters = MasterShares(redis_before, redis_done, r.routed_by_tenant, wall_s);
    r.masters_total = MasterShare(before, after, r.routed, wall_s);
  }
  for (const auto& [name, seconds] : cpu_done) {
    double d = seconds - cpu_start[name];
    r.cpu_us[name] = d * 1e6 / completed;
    total_cpu += d;
  }
  r.cpu_total_busy = total_cpu / wall_s;
  for (const auto& [name, seconds] : cpu_offered) {
    r.cpu_us_to_offer[name] = (seconds - cpu_start[name]) * 1e6 / routed;
  }
  return r;
}

void MeasureRaw(RedisBaseline& baseline, int pipeline, RoundResult* r) {
  auto p1 = baseline.Run(1);
  auto pn = baseline.Run(pipeline);
  if (p1.ok()) {
    r->raw_p1 = p1->rps;
    r->raw_p1_p50 = p1->p50_ms;
  } else {
    std::printf("  raw baseline (no pipelining) failed: %s\n",
                std::string(p1.status().message()).c_str());
  }
  if (pn.ok()) {
    r->raw_pn = pn->rps;
    r->raw_pn_p50 = pn->p50_ms;
  } else {
    std::printf("  raw baseline (pipeline %d) failed: %s\n", pipeline,
                std::string(pn.status().message()).c_str());
  }
}

}  // namespace omniroute::bench
