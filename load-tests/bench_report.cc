#include "load-tests/bench_report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace omniroute::bench {
namespace {

// The first line a shell command prints, without its line end; "" when it cannot run.
std::string FirstLine(const std::string& cmd) {
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) return "";
  char buf[512] = {0};
  std::string out = fgets(buf, sizeof(buf), f) != nullptr ? buf : "";
  pclose(f);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

std::string Fmt(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  return absl::StrFormat("%.*f", decimals, v);
}

void PrintHeader(const Config& cfg, const RunPlan& plan, const RunDescription& run) {
  utsname u{};
  uname(&u);
  std::printf("omniroute-bench %s\n", FirstLine("date -u '+%Y-%m-%d %H:%M:%S UTC'").c_str());
  std::printf("machine: %ld cores (%s %s), load average %s\n", sysconf(_SC_NPROCESSORS_ONLN),
              u.sysname, u.machine, FirstLine("cut -d' ' -f1-3 /proc/loadavg").c_str());
  std::printf("redis: %s, version %s\n", run.redis.c_str(), run.redis_version.c_str());
  std::printf("services: %s (intake %s, classification %s, routing %s)\n", run.services.c_str(),
              run.endpoints.intake.c_str(), run.endpoints.classification.c_str(),
              run.endpoints.routing.c_str());
  std::string pace = cfg.rate > 0 ? absl::StrCat(" at ", cfg.rate, "/s") : " as fast as accepted";
  std::string who = cfg.tenants == 1 ? absl::StrCat("tenant ", run.tenant, ",")
                                     : absl::StrCat(cfg.tenants, " tenants (", run.tenant,
                                                    ") sharing the interactions evenly, each with");
  std::printf(
      "workload: %s queue 'bench' (%s), %d agents%s x capacity %d per channel (%lld slots), "
      "accept + complete %s, at most %d at once; %d interactions per round in batches of %d on %d "
      "threads%s; %d rounds after a warm-up of %d\n",
      who.c_str(), cfg.channels.c_str(), cfg.agents, cfg.tenants == 1 ? "" : " per tenant",
      cfg.agent_capacity, static_cast<long long>(Slots(cfg, plan)),
      cfg.settle == "immediate" ? "at once" : "after each round", cfg.settle_concurrency,
      cfg.interactions, cfg.batch, cfg.concurrency, pace.c_str(), cfg.rounds, cfg.warmup);
}

void PrintRound(int round, const RoundResult& r, int64_t slots) {
  std::printf(
      "round %d: %lld submitted via %s, %lld routed in %.2f s -> %s routed/s "
      "(intake accepted %s/s); submit->offer ms p50 %s p90 %s p99 %s max %s",
      round, static_cast<long long>(r.submitted), r.via.c_str(), static_cast<long long>(r.routed),
      r.seconds, Fmt(r.routed_per_s, 0).c_str(), Fmt(r.intake_per_s, 0).c_str(),
      Fmt(r.p50, 1).c_str(), Fmt(r.p90, 1).c_str(), Fmt(r.p99, 1).c_str(), Fmt(r.max, 1).c_str());
  if (r.early > 0) {
    std::printf(" (%lld offer(s) arrived before the submit answer; counted as 0 ms)",
                static_cast<long long>(r.early));
  }
  std::printf("\n");
  std::printf(
      "  full life cycle: %lld completed in %s s -> %s done/s (first submit sent -> last "
      "CompleteInteraction answered)\n",
      static_cast<long long>(r.completed), Fmt(r.done_seconds, 2).c_str(),
      Fmt(r.done_per_s, 0).c_str());
  std::printf(
      "  submit calls: %lld SubmitInteractions answered OK, client wall time per call ms p50 %s "
      "p90 %s p99 %s max %s",
      static_cast<long long>(r.calls), Fmt(r.call_p50, 2).c_str(), Fmt(r.call_p90, 2).c_str(),
      Fmt(r.call_p99, 2).c_str(), Fmt(r.call_max, 2).c_str());
  if (r.retried_calls > 0) {
    std::printf(" (%lld call(s) retried; their time includes the retries)",
                static_cast<long long>(r.retried_calls));
  }
  std::printf("\n");
  std::string cpu;
  for (const char* name : {"intake", "classification", "routing", "bench"}) {
    auto it = r.cpu_us.find(name);
    if (it != r.cpu_us.end()) absl::StrAppend(&cpu, " ", name, " ", Fmt(it->second, 0));
  }
  std::printf(
      "  per completed interaction (first submit .. last complete): redis %s us CPU (%s script "
      "calls, %s us inside scripts, %s Redis commands incl. those run by scripts); CPU us:%s; "
      "redis "
      "busy %s%%, all processes %s cores\n",
      Fmt(r.redis.cpu_us, 0).c_str(), Fmt(r.redis.scripts, 2).c_str(),
      Fmt(r.redis.script_us, 0).c_str(), Fmt(r.redis.cmds, 1).c_str(), cpu.c_str(),
      Fmt(r.redis_busy * 100, 0).c_str(), Fmt(r.cpu_total_busy, 2).c_str());
  std::string to_offer;
  for (const char* name : {"redis", "intake", "classification", "routing", "bench"}) {
    auto it = r.cpu_us_to_offer.find(name);
    if (it != r.cpu_us_to_offer.end())
      absl::StrAppend(&to_offer, " ", name, " ", Fmt(it->second, 0));
  }
  std::printf(
      "  per routed interaction until the last offer arrived, CPU us:%s (the rest settled held "
      "offers)\n",
      to_offer.c_str());
  if (!r.redis.top_commands.empty()) {
    std::printf(
        "  redis time by command (script-internal commands also count in fcall/evalsha): %s\n",
        r.redis.top_commands.c_str());
  }
  std::printf("  agents held at most %lld offers at once (of %lld slots)%s\n",
              static_cast<long long>(r.max_held), static_cast<long long>(slots),
              r.max_held >= slots ? ": agents were a bottleneck" : "");
}

void PrintPlacement(const std::vector<BenchTenant>& tenants, const RedisNodes& nodes) {
  std::printf("tenant placement: %s\n",
              nodes.cluster() ? "each tenant's keys (hash tag {t:<tenant>}) on one master"
                              : "one redis-server holds every tenant");
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::string list;
    for (const auto& t : tenants) {
      if (t.node != i) continue;
      absl::StrAppend(&list, list.empty() ? "" : ", ", t.id);
      if (nodes.cluster()) absl::StrAppend(&list, " (slot ", t.slot, ")");
    }
    std::printf("  master %zu %s: %s\n", i + 1, nodes.name(i).c_str(),
                list.empty() ? "no tenant" : list.c_str());
  }
}

void PrintMasters(const RoundResult& r, const RedisNodes& nodes,
                  const std::vector<BenchTenant>& tenants) {
  std::printf(
      "  per master, first submit .. last complete, per interaction routed for the master's "
      "tenants; %s routed/s overall:\n",
      Fmt(r.routed_per_s, 0).c_str());
  auto by_node = TenantIdsByNode(tenants, nodes.size());
  auto line = [](const MasterResult& m) {
    return absl::StrFormat("%lld routed, redis %s us CPU/int, %s cmds/int, busy %s%%",
                           static_cast<long long>(m.routed), Fmt(m.redis.cpu_us, 1),
                           Fmt(m.redis.cmds, 1), Fmt(m.busy * 100, 0));
  };
  for (size_t i = 0; i < r.masters.size() && i < nodes.size(); ++i) {
    std::printf("    master %zu %s (%zu tenant%s): %s\n", i + 1, nodes.name(i).c_str(),
                by_node[i].size(), by_node[i].size() == 1 ? "" : "s", line(r.masters[i]).c_str());
  }
  std::printf("    masters' total: %s\n", line(r.masters_total).c_str());
}

void PrintRaw(const RoundResult& r, int pipeline) {
  std::printf("  raw EVALSHA: %s/s (p50 %s ms) no pipelining, %s/s (p50 %s ms) pipeline %d\n",
              Fmt(r.raw_p1, 0).c_str(), Fmt(r.raw_p1_p50, 2).c_str(), Fmt(r.raw_pn, 0).c_str(),
              Fmt(r.raw_pn_p50, 2).c_str(), pipeline);
}

void PrintBullmq(const RoundResult& r) {
  const PeerResult& b = r.bullmq;
  if (!b.error.empty()) {
    std::printf("  bullmq: failed: %s\n", b.error.c_str());
    return;
  }
  std::printf(
      "  bullmq: %lld of %lld jobs completed (%lld failed) in %s s -> %s jobs/s (worker.run() -> "
      "last job completed; %s s from the first job started; %s jobs/s with the untimed addBulk's "
      "%s s added)\n",
      static_cast<long long>(b.completed), static_cast<long long>(b.jobs),
      static_cast<long long>(b.failed), Fmt(b.seconds, 2).c_str(), Fmt(b.jobs_per_s, 0).c_str(),
      Fmt(b.seconds_from_first_start, 2).c_str(), Fmt(b.jobs_per_s_with_add, 0).c_str(),
      Fmt(b.add_seconds, 2).c_str());
  std::printf(
      "    per job, timed window: redis %s us CPU (%s script calls, %s us inside scripts, %s Redis "
      "commands incl. those run by scripts), node %s us CPU; redis busy %s%%\n",
      Fmt(b.work.cpu_us, 1).c_str(), Fmt(b.work.scripts, 2).c_str(),
      Fmt(b.work.script_us, 1).c_str(), Fmt(b.work.cmds, 1).c_str(), Fmt(b.node_cpu_us, 1).c_str(),
      Fmt(b.redis_busy * 100, 0).c_str());
  std::printf(
      "    per job, addBulk before it (not timed): redis %s us CPU (%s Redis commands), node %s us "
      "CPU\n",
      Fmt(b.add.cpu_us, 1).c_str(), Fmt(b.add.cmds, 1).c_str(), Fmt(b.add_node_cpu_us, 1).c_str());
  if (!b.work.top_commands.empty()) {
    std::printf("    redis time by command, timed window: %s\n", b.work.top_commands.c_str());
  }
  std::printf(
      "    omniroute's idle background (agents' blocking offer reads, gauges): %s Redis "
      "commands/s, "
      "%s us Redis CPU/s, included above\n",
      Fmt(b.idle_cmds_per_s, 0).c_str(), Fmt(b.idle_cpu_us_per_s, 0).c_str());
  std::printf(
      "    omniroute / BullMQ: done/s / jobs/s = %s; Redis CPU per interaction / per job (addBulk "
      "+ "
      "timed) = %s\n",
      Fmt(r.done_per_s / b.jobs_per_s, 3).c_str(),
      Fmt(r.redis.cpu_us / (b.add.cpu_us + b.work.cpu_us), 2).c_str());
}

void PrintAgentTotals(const SettleStats& s, int64_t duplicates, int64_t rescinded,
                      int64_t reconnects) {
  std::printf(
      "agents: %lld accepted, %lld accept failures, %lld completed, %lld complete failures, "
      "%lld duplicate offers, %lld rescinded, %lld watch reconnects\n",
      static_cast<long long>(s.accepted), static_cast<long long>(s.accept_failed),
      static_cast<long long>(s.completed), static_cast<long long>(s.complete_failed),
      static_cast<long long>(duplicates), static_cast<long long>(rescinded),
      static_cast<long long>(reconnects));
}

}  // namespace omniroute::bench
