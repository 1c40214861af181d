#pragma once

// One measured round of omniroute-bench: submit, wait for every offer, then for every
// completion, and turn the timings and the CPU / Redis counters into per-interaction figures.

#include <sys/types.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "load-tests/arrival_log.h"
#include "load-tests/bench_config.h"
#include "load-tests/bench_settler.h"
#include "load-tests/bench_tenant.h"
#include "load-tests/bullmq_peer.h"
#include "load-tests/cpu_counters.h"
#include "load-tests/redis_baseline.h"
#include "load-tests/redis_nodes.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

// One Redis node's share of a round (first submit .. last complete): what it did per interaction
// routed for the tenants it holds.
struct MasterResult {
  int64_t routed = 0;
  RedisCost redis;             // per routed interaction of its tenants (NaN without any)
  double busy = std::nan("");  // its CPU / wall time
};

struct RoundResult {
  std::string via = "grpc";  // how the round submitted
  int64_t submitted = 0, failed = 0, routed = 0, early = 0, completed = 0;
  // Submit -> offer: first submit sent -> last offer received (routed/s), and per interaction
  // submit answered -> offer received (p50 ..).
  double seconds = 0;
  double intake_per_s = std::nan(""), routed_per_s = std::nan("");
  double p50 = std::nan(""), p90 = std::nan(""), p99 = std::nan(""), max = std::nan("");
  // Per interaction, submit call sent -> offer received: the transport's own time included.
  double sent_p50 = std::nan(""), sent_p99 = std::nan("");
  // The SubmitInteractions calls answered OK: how many, how many needed a retry, and the client
  // wall time of each (first attempt sent -> answer, ms).
  int64_t calls = 0, retried_calls = 0;
  double call_p50 = std::nan(""), call_p90 = std::nan(""), call_p99 = std::nan(""),
         call_max = std::nan("");
  // The full life cycle: first submit sent -> last CompleteInteraction answered OK.
  double done_seconds = std::nan(""), done_per_s = std::nan("");
  double raw_p1 = std::nan(""), raw_pn = std::nan("");
  double raw_p1_p50 = std::nan(""), raw_pn_p50 = std::nan("");
  // Per completed interaction over the full life cycle (first submit .. last completion).
  RedisCost redis;
  std::map<std::string, double> cpu_us;  // per process
  double redis_busy = std::nan("");      // Redis CPU / wall time
  int64_t max_held = 0;                  // most offers held by agents (not yet completed) at once
  double cpu_total_busy = std::nan("");  // all processes' CPU / wall time (cores)
  // CPU per routed interaction (us) from the first submit until every offer arrived, by process
  // ("redis" included); the rest of cpu_us was spent settling the offers still held.
  std::map<std::string, double> cpu_us_to_offer;
  // Interactions routed per tenant (in the order of the runner's tenants).
  std::vector<int64_t> routed_by_tenant;
  // Per Redis node (RedisNodes order), and all of them together per routed interaction.
  std::vector<MasterResult> masters;
  MasterResult masters_total;
  // The BullMQ peer run after this round (absent: skipped).
  bool has_bullmq = false;
  PeerResult bullmq;
};

// Runs rounds against configured tenants whose agents record offers in `offers` and settle
// them through `settler`, which records completions in `completions`. Every pointer must
// outlive the runner.
class RoundRunner {
 public:
  // `pids`: the started service processes whose CPU is measured (may be empty).
  RoundRunner(sim::ApiClient* api, const std::vector<BenchTenant>* tenants, const Config* cfg,
              std::vector<v1::Channel> channels, ArrivalLog* offers, ArrivalLog* completions,
              Settler* settler, std::map<std::string, pid_t> pids,
              const std::atomic<bool>* interrupted);

  // Submits `total` interactions (idempotency keys <key_prefix>-<n>) and waits until each got
  // an offer (at most --round-timeout-seconds), then until the agents completed them (at most
  // as long again). Redis figures only with `stats` (every node's, and per node). Prints
  // warnings for what was not accepted, routed or completed.
  // `via`: "grpc" or "http" (Config::submit_via).
  RoundResult Measure(int total, const std::string& key_prefix, RedisNodes* stats,
                      const std::string& via = "grpc");

 private:
  // Each node's share of a round: its counters' difference per interaction routed for the
  // tenants it holds.
  std::vector<MasterResult> MasterShares(const std::vector<RedisCounters>& before,
                                         const std::vector<RedisCounters>& after,
                                         const std::vector<int64_t>& routed_by_tenant,
                                         double wall_s) const;
  // Polls `done` every 5 ms until it is true (true), or `deadline` / interrupted (false).
  bool WaitUntil(const std::function<bool()>& done, Clock::time_point deadline) const;

  sim::ApiClient* api_;
  const std::vector<BenchTenant>* tenants_;
  std::vector<std::string> integrator_keys_;
  const Config* cfg_;
  const std::vector<v1::Channel> channels_;
  ArrivalLog* offers_;
  ArrivalLog* completions_;
  Settler* settler_;
  const std::map<std::string, pid_t> pids_;
  const std::atomic<bool>* interrupted_;
};

// Runs the raw baseline without pipelining and with `pipeline` into `r` (raw_* fields); a failed
// run is printed and leaves its fields NaN.
void MeasureRaw(RedisBaseline& baseline, int pipeline, RoundResult* r);

}  // namespace omniroute::bench
