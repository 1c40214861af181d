#pragma once

// What omniroute-bench prints: the run header, a block per round, the results table and the
// agents' totals.

#include <cstdint>
#include <string>
#include <vector>

#include "load-tests/bench_config.h"
#include "load-tests/bench_round.h"
#include "load-tests/bench_settler.h"
#include "load-tests/bench_tenant.h"
#include "load-tests/redis_nodes.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

// `v` with `decimals` decimals; "n/a" for NaN.
std::string Fmt(double v, int decimals);

// Where the figures come from, printed before the first round.
struct RunDescription {
  std::string tenant;         // the tenants' ids, comma-separated
  std::string redis;          // URL and how it was started
  std::string redis_version;  // from INFO
  std::string services;       // how they were started
  sim::Endpoints endpoints;
};

// Date, machine, Redis, services and workload.
void PrintHeader(const Config& cfg, const RunPlan& plan, const RunDescription& run);

// One round's figures; `slots` is the agents' total capacity.
void PrintRound(int round, const RoundResult& r, int64_t slots);

// Which tenant is on which Redis node, with its hash slot on a cluster.
void PrintPlacement(const std::vector<BenchTenant>& tenants, const RedisNodes& nodes);

// A round's per-node figures (r.masters, r.masters_total).
void PrintMasters(const RoundResult& r, const RedisNodes& nodes,
                  const std::vector<BenchTenant>& tenants);

// The raw baseline figures of a round (after MeasureRaw).
void PrintRaw(const RoundResult& r, int pipeline);

// The BullMQ peer's figures of a round (r.bullmq), beside the round's own.
void PrintBullmq(const RoundResult& r);

// The results tables (bench_table.cc): submit -> offer beside the raw baseline, then the full
// life cycle beside BullMQ; one row per round, then the median of each column, then the legend.
// `bullmq_note`: why BullMQ has no figures ("" when it ran).
void PrintTable(const Config& cfg, const std::vector<RoundResult>& rounds,
                const std::string& bullmq_note);

// The rounds by how they submitted (bench_table.cc; --submit-via), when any went over HTTP:
// per transport, submit sent -> offer and submit answered -> offer percentiles, the calls'
// client time and intake's CPU per interaction, one row per round, the median row, the legend.
void PrintViaTable(const std::vector<RoundResult>& rounds);

// The per-master results table (bench_table.cc): routed/s, then per node and for all of them
// Redis CPU and commands per interaction routed for the node's tenants; one row per round, the
// median row, the legend.
void PrintMasterTable(const std::vector<RoundResult>& rounds, const RedisNodes& nodes,
                      const std::vector<BenchTenant>& tenants);

// The agents' totals at the end of the run.
void PrintAgentTotals(const SettleStats& s, int64_t duplicates, int64_t rescinded,
                      int64_t reconnects);

}  // namespace omniroute::bench
