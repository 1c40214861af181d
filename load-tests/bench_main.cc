// omniroute-bench: end-to-end routing throughput and submit->offer latency of omniroute, and its
// full life cycle (submit .. complete), printed beside a raw-Redis baseline (redis-benchmark
// running EVALSHA of a minimal enqueue-and-match script) and a peer baseline (a no-op BullMQ
// worker) measured against the same redis-server in the same run. Prints figures, never
// pass/fail. See load-tests/README.md.
//
// It starts a private redis-server (or Redis Cluster) and one replica of each service on free
// loopback ports (or uses the ones given by --redis-url and --intake/--classification/--routing),
// creates --tenants tenants (spread over a cluster's masters), each with one queue and enough
// agents that agents are not the bottleneck (each offer is accepted and completed at once), then,
// per round, submits --interactions interactions as fast as intake takes them, shared by the
// tenants (SubmitInteractions batches on --concurrency threads) and records
// for every interaction the submit-ack time, the arrival of its offer at the agent and the
// answer to its CompleteInteraction; after each round it runs BullMQ (bullmq_peer) and the raw
// baseline (redis_baseline), on a single redis-server only.
//
// This file is the wiring only: flags (bench_config), processes (bench_services), tenant
// (bench_tenant), agents (bench_agents, bench_settler), rounds (bench_round), output
// (bench_report, bench_table).
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "load-tests/bench_agents.h"
#include "load-tests/bench_config.h"
#include "load-tests/bench_report.h"
#include "load-tests/bench_round.h"
#include "load-tests/bench_services.h"
#include "load-tests/bench_settler.h"
#include "load-tests/bench_tenant.h"
#include "load-tests/bullmq_peer.h"
#include "load-tests/cpu_counters.h"
#include "load-tests/redis_baseline.h"
#include "load-tests/redis_nodes.h"
#include "services/common/config/flags.h"
#include "services/common/ids.h"
#include "services/common/redis/redis_client.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {
namespace {

// Set by SIGINT / SIGTERM. A global because a signal handler takes no context; everything else
// gets it by reference.
std::atomic<bool> g_interrupted{false};

void OnSignal(int) { g_interrupted.store(true); }

// Prints "omniroute-bench: <message>" to stderr and returns `rc` (the exit code).
int Fail(int rc, absl::string_view message) {
  std::fprintf(stderr, "omniroute-bench: %s\n", std::string(message).c_str());
  return rc;
}

int Run(Config cfg, const std::atomic<bool>& interrupted) {
  auto plan = Resolve(&cfg);
  if (!plan.ok()) return Fail(2, plan.status().message());

  auto services = Services::Start(cfg, interrupted);
  if (!services.ok()) return Fail(1, services.status().message());
  Services& svc = **services;
  if (cfg.intake_http.empty()) cfg.intake_http = svc.intake_http();
  const std::vector<std::string> vias = absl::StrSplit(cfg.submit_via, ',');
  // The Redis counters are read per server: the one redis-server, or every master of a cluster.
  auto stats = RedisNodes::Open(svc.redis_endpoint(), std::chrono::milliseconds(5000));
  if (!stats.ok()) return Fail(1, absl::StrCat("redis: ", stats.status().message()));
  RedisNodes& nodes = **stats;
  RedisCounters info = ReadRedisCounters(nodes.conn(0));

  RandomIdGenerator ids;
  std::string run_id = ids.NewId().substr(0, 8);
  auto placed =
      PlaceTenants(cfg.tenant.empty() ? "bench-" + run_id : cfg.tenant, cfg.tenants, nodes);
  if (!placed.ok()) return Fail(1, placed.status().message());
  std::vector<BenchTenant>& tenants = *placed;
  sim::ApiClient api(svc.endpoints());
  std::vector<std::string> tenant_ids;
  for (auto& t : tenants) {
    auto keys = CreateTenant(svc.redis_endpoint(), t.id);
    if (!keys.ok()) return Fail(1, keys.status().message());
    t.keys = *keys;
    if (auto st = ConfigureTenant(api, t.keys.admin, plan->channels); !st.ok()) {
      return Fail(1, absl::StrCat(t.id, ": ", st.message()));
    }
    tenant_ids.push_back(t.id);
  }
  PrintHeader(cfg, *plan,
              {absl::StrJoin(tenant_ids, ", "), svc.redis_description(), info.version,
               svc.services_description(), svc.endpoints()});
  if (plan->per_master) PrintPlacement(tenants, nodes);

  // Declared before the agents and the settler, whose reconnects and retries it runs: it must
  // outlive their Stop.
  DelayedTasks later;
  ArrivalLog offers, completions;
  Settler settler(&api, cfg.settle_concurrency, &completions, &later);
  std::map<v1::Channel, int> capacity;
  for (auto c : plan->channels) capacity[c] = cfg.agent_capacity;
  std::vector<std::unique_ptr<WatchingAgent>> agents;
  int rc = 0;
  for (const auto& t : tenants) {
    for (int i = 0; i < cfg.agents && rc == 0; ++i) {
      agents.push_back(std::make_unique<WatchingAgent>(&api, t.keys.agent,
                                                       absl::StrCat("agent-", i), capacity,
                                                       AgentSkills(), &offers, &settler, &later));
      if (auto st = agents.back()->Start(); !st.ok()) rc = Fail(1, st.message());
    }
  }

  // The BullMQ peer; without node or its npm packages it is skipped (one line says why), unless
  // --require-bullmq. It and the raw baseline need one redis-server: on a cluster both are
  // skipped.
  std::unique_ptr<BullmqPeer> bullmq;
  std::string bullmq_note = cfg.skip_bullmq ? "skipped (--skip-bullmq)" : "";
  if (!cfg.skip_bullmq && plan->cluster) {
    bullmq_note = "skipped (it runs on a single redis-server, not on a Redis Cluster)";
    std::printf("bullmq: %s\n", bullmq_note.c_str());
  }
  if (rc == 0 && bullmq_note.empty()) {
    BullmqPeer::Options o;
    o.dir = cfg.bullmq_dir;
    o.node = cfg.node;
    o.concurrency = cfg.bullmq_concurrency;
    o.warmup = cfg.bullmq_warmup;
    o.keep_completed = cfg.bullmq_keep_completed;
    o.keep_failed = cfg.bullmq_keep_failed;
    bullmq = std::make_unique<BullmqPeer>(svc.redis_endpoint(), svc.dir(), o);
    if (auto st = bullmq->Prepare(); !st.ok()) {
      bullmq.reset();
      bullmq_note = absl::StrCat("skipped: ", st.message());
      std::printf("bullmq: %s\n", bullmq_note.c_str());
      if (cfg.require_bullmq) rc = Fail(1, "BullMQ is required (--require-bullmq)");
    } else {
      std::printf("bullmq peer: %s; %d jobs per round\n", bullmq->Describe().c_str(),
                  cfg.bullmq_jobs);
    }
  }

  std::unique_ptr<RedisBaseline> baseline;
  if (!cfg.skip_raw && plan->cluster) {
    std::printf(
        "raw baseline: skipped (its script runs on a single redis-server, not on a Redis "
        "Cluster)\n");
  }
  if (rc == 0 && !cfg.skip_raw && !plan->cluster) {
    RedisBaseline::Options o;
    o.redis_benchmark = cfg.redis_benchmark;
    o.requests = cfg.raw_requests;
    o.clients = cfg.raw_clients;
    o.keyspace = cfg.raw_keyspace;
    baseline =
        std::make_unique<RedisBaseline>(svc.redis_endpoint(), plan->baseline_script, svc.dir(), o);
    if (auto st = baseline->Prepare(); !st.ok()) {
      rc = Fail(1, absl::StrCat("baseline: ", st.message()));
    } else {
      std::printf("raw baseline: redis-benchmark %s\n",
                  absl::StrJoin(baseline->Args(cfg.raw_pipeline), " ").c_str());
    }
  }

  RoundRunner rounds(&api, &tenants, &cfg, plan->channels, &offers, &completions, &settler,
                     svc.pids(), &interrupted);
  // Warm-up: the consumers discover the new tenant (within a second), connections and caches
  // fill. Not measured.
  if (rc == 0 && cfg.warmup > 0) {
    auto w = rounds.Measure(cfg.warmup, run_id + "-warmup", nullptr);
    std::printf("warm-up: %lld of %lld routed\n", static_cast<long long>(w.routed),
                static_cast<long long>(w.submitted));
    if (w.routed == 0) rc = Fail(1, "nothing was routed during the warm-up");
    for (size_t t = 0; rc == 0 && tenants.size() > 1 && t < tenants.size(); ++t) {
      if (w.routed_by_tenant[t] == 0) {
        rc = Fail(
            1, absl::StrCat("nothing of tenant ", tenants[t].id, " was routed during the warm-up"));
      }
    }
  }

  std::vector<RoundResult> results;
  // A failed BullMQ run with --require-bullmq sets rc but lets the remaining rounds run.
  const bool started = rc == 0;
  for (int round = 1; started && round <= cfg.rounds && !interrupted.load(); ++round) {
    const std::string& via = vias[static_cast<size_t>(round - 1) % vias.size()];
    RoundResult r =
        rounds.Measure(cfg.interactions, absl::StrCat(run_id, "-r", round), &nodes, via);
    PrintRound(round, r, Slots(cfg, *plan));
    if (plan->per_master) PrintMasters(r, nodes, tenants);
    if (bullmq && !interrupted.load()) {
      r.has_bullmq = true;
      r.bullmq = bullmq->Run(cfg.bullmq_jobs, absl::StrCat("omniroute-bench-", run_id, "-r", round),
                             nodes.conn(0), interrupted);
      PrintBullmq(r);
      if (!r.bullmq.error.empty() && cfg.require_bullmq && !interrupted.load()) {
        rc = Fail(1, "BullMQ is required (--require-bullmq)");
      }
    }
    if (baseline && !interrupted.load()) {
      MeasureRaw(*baseline, cfg.raw_pipeline, &r);
      PrintRaw(r, cfg.raw_pipeline);
    }
    std::fflush(stdout);
    results.push_back(r);
  }

  if (!results.empty()) PrintTable(cfg, results, bullmq_note);
  if (!results.empty()) PrintViaTable(results);
  if (!results.empty() && plan->per_master) PrintMasterTable(results, nodes, tenants);
  SettleStats s = settler.Stats();
  int64_t rescinded = 0, reconnects = 0;
  for (auto& a : agents) {
    a->StopWatching();
    rescinded += a->rescinded();
    reconnects += a->reconnects();
  }
  settler.Stop();
  for (auto& a : agents) a->LogOut();
  if (!results.empty()) PrintAgentTotals(s, offers.duplicates(), rescinded, reconnects);
  if (baseline && !svc.private_redis()) baseline->Cleanup();
  if (interrupted.load()) return Fail(130, "interrupted");
  return rc;
}

}  // namespace
}  // namespace omniroute::bench

int main(int argc, char** argv) {
  omniroute::bench::Config cfg;
  omniroute::config::Flags flags("omniroute-bench");
  omniroute::bench::AddFlags(flags, &cfg);
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = omniroute::bench::OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  try {
    return omniroute::bench::Run(cfg, omniroute::bench::g_interrupted);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "omniroute-bench: %s\n", e.what());
    return 1;
  }
}
