#pragma once

// One measured round of omniroute-bench: submit, wait for every offer, let the agents settle,
// and turn the timings and the CPU / Redis counters into per-interaction figures.

#include <sys/types.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "load-tests/bench_agents.h"
#include "load-tests/bench_config.h"
#include "load-tests/redis_baseline.h"
#include "services/common/redis/redis_client.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

struct RoundResult {
  int64_t submitted = 0, failed = 0, routed = 0, early = 0;
  double seconds = 0;
  double intake_per_s = std::nan(""), routed_per_s = std::nan("");
  double p50 = std::nan(""), p90 = std::nan(""), p99 = std::nan(""), max = std::nan("");
  double raw_p1 = std::nan(""), raw_pn = std::nan("");
  double raw_p1_p50 = std::nan(""), raw_pn_p50 = std::nan("");
  // Per routed interaction during the omniroute phase (submit .. all settled).
  double redis_cpu_us = std::nan(""), redis_evalsha = std::nan(""), redis_cmds = std::nan("");
  double redis_evalsha_us = std::nan("");
  std::map<std::string, double> cpu_us;  // per process
  double redis_busy = std::nan("");      // Redis CPU / wall time
  std::string top_commands;              // Redis commands by time, per routed interaction
  int64_t max_held = 0;                  // most offers held by agents (not yet completed) at once
  double cpu_total_busy = std::nan("");  // all processes' CPU / wall time (cores)
  // CPU per routed interaction (us) from the first submit until every offer arrived, by process
  // ("redis" included); the rest of cpu_us was spent settling the offers still held.
  std::map<std::string, double> cpu_us_to_offer;
};

// Runs rounds against one configured tenant whose agents record offers in `log` and settle
// them through `settler`. Every pointer must outlive the runner.
class RoundRunner {
 public:
  // `pids`: the started service processes whose CPU is measured (may be empty).
  RoundRunner(sim::ApiClient* api, std::string integrator_key, const Config* cfg,
              std::vector<v1::Channel> channels, OfferLog* log, Settler* settler,
              std::map<std::string, pid_t> pids, const std::atomic<bool>* interrupted);

  // Submits `total` interactions (idempotency keys <key_prefix>-<n>) and waits until each got
  // an offer (at most --round-timeout-seconds), then until the agents settled them. Redis
  // figures only with `stats_conn`. Prints warnings for what was not accepted or not routed.
  RoundResult Measure(int total, const std::string& key_prefix, redis::Connection* stats_conn);

 private:
  // Polls `done` every 5 ms until it is true (true), or `deadline` / interrupted (false).
  bool WaitUntil(const std::function<bool()>& done, Clock::time_point deadline) const;

  sim::ApiClient* api_;
  const std::string integrator_key_;
  const Config* cfg_;
  const std::vector<v1::Channel> channels_;
  OfferLog* log_;
  Settler* settler_;
  const std::map<std::string, pid_t> pids_;
  const std::atomic<bool>* interrupted_;
};

// Runs the raw baseline without pipelining and with `pipeline` into `r` (raw_* fields); a failed
// run is printed and leaves its fields NaN.
void MeasureRaw(RedisBaseline& baseline, int pipeline, RoundResult* r);

}  // namespace omniroute::bench
