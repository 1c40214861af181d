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
  std::vector<double> lat;
  lat.reserve(offers.size());
  Clock::time_point last_offer = first_sent;
  for (const auto& [id, at] : offers) {
    const SubmitRecord* s = by_id.at(id);
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
  r->max = sim::Percentile(lat, 100);
}

// Redis figures per routed interaction, from the counters before and after the round; adds the
// Redis CPU seconds to *total_cpu.
void FillRedisCosts(RedisCounters before, RedisCounters after, double routed, double wall_s,
                    RoundResult* r, double* total_cpu) {
  r->redis_cpu_us = (after.cpu_seconds - before.cpu_seconds) * 1e6 / routed;
  r->redis_busy = (after.cpu_seconds - before.cpu_seconds) / wall_s;
  *total_cpu += after.cpu_seconds - before.cpu_seconds;
  r->redis_evalsha = static_cast<double>(after.evalsha_calls - before.evalsha_calls) / routed;
  r->redis_evalsha_us = static_cast<double>(after.evalsha_usec - before.evalsha_usec) / routed;
  r->redis_cmds = static_cast<double>(after.all_calls - before.all_calls) / routed;
  std::vector<std::pair<int64_t, std::string>> by_time;
  for (const auto& [name, cu] : after.commands) {
    auto b = before.commands[name];
    by_time.emplace_back(cu.second - b.second, name);
  }
  std::sort(by_time.rbegin(), by_time.rend());
  for (size_t i = 0; i < by_time.size() && i < 8 && by_time[i].first > 0; ++i) {
    const auto& name = by_time[i].second;
    double calls =
        static_cast<double>(after.commands[name].first - before.commands[name].first) / routed;
    absl::StrAppend(&r->top_commands, i == 0 ? "" : ", ", name, " ",
                    Fmt(static_cast<double>(by_time[i].first) / routed, 1), " us/", Fmt(calls, 1),
                    " calls");
  }
}

}  // namespace

RoundRunner::RoundRunner(sim::ApiClient* api, std::string integrator_key, const Config* cfg,
                         std::vector<v1::Channel> channels, OfferLog* log, Settler* settler,
                         std::map<std::string, pid_t> pids, const std::atomic<bool>* interrupted)
    : api_(api),
      integrator_key_(std::move(integrator_key)),
      cfg_(cfg),
      channels_(std::move(channels)),
      log_(log),
      settler_(settler),
      pids_(std::move(pids)),
      interrupted_(interrupted) {}

bool RoundRunner::WaitUntil(const std::function<bool()>& done, Clock::time_point deadline) const {
  while (!done()) {
    if (Clock::now() >= deadline || interrupted_->load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

RoundResult RoundRunner::Measure(int total, const std::string& key_prefix,
                                 redis::Connection* stats_conn) {
  RoundResult r;
  (void)log_->Take();
  auto deadline = Clock::now() + std::chrono::seconds(cfg_->round_timeout_seconds);
  RedisCounters redis_before;
  if (stats_conn != nullptr) redis_before = ReadRedisCounters(*stats_conn);
  auto cpu_start = CpuNow(pids_, stats_conn);
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
  SubmitPhase phase = SubmitAll(*api_, integrator_key_, *cfg_, channels_, total, key_prefix,
                                deadline, *interrupted_);
  r.failed = phase.failed_items;
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
    for (auto& [id, at] : log_->Take()) {
      if (by_id.count(id)) offers.emplace(id, at);
    }
    return offers.size() >= by_id.size();
  };
  if (!WaitUntil(collect, deadline)) {
    std::printf("  warning: only %zu of %zu interactions got an offer within %d s\n", offers.size(),
                by_id.size(), cfg_->round_timeout_seconds);
  }
  auto cpu_offered = CpuNow(pids_, stats_conn);
  // Let the agents finish accepting and completing (bounded), so the next round starts with
  // every agent's capacity free and the CPU figures include the whole life cycle.
  if (after_round) settler_->Resume();
  WaitUntil([&] { return settler_->pending() == 0; },
            Clock::now() + std::chrono::seconds(after_round ? cfg_->round_timeout_seconds : 30));
  auto wall = Clock::now() - wall_start;
  sampling.store(false);
  sampler.join();
  r.max_held = max_held.load();

  r.routed = static_cast<int64_t>(offers.size());
  FillLatency(phase, by_id, offers, &r);

  double routed = static_cast<double>(std::max<int64_t>(1, r.routed));
  double wall_s = Seconds(wall);
  double total_cpu = 0;
  if (stats_conn != nullptr) {
    FillRedisCosts(redis_before, ReadRedisCounters(*stats_conn), routed, wall_s, &r, &total_cpu);
  }
  for (const auto& [name, seconds] : CpuNow(pids_, nullptr)) {
    double d = seconds - cpu_start[name];
    r.cpu_us[name] = d * 1e6 / routed;
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
