// The results tables of omniroute-bench (declared in bench_report.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "load-tests/bench_report.h"

namespace omniroute::bench {
namespace {

// Median of the non-NaN values; NaN when there are none.
double Median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double CpuOf(const RoundResult& r, const std::string& process) {
  auto it = r.cpu_us.find(process);
  return it == r.cpu_us.end() ? std::nan("") : it->second;
}

// A table: a header, one row per round, the median row. `decimals` per column after the first.
class Table {
 public:
  Table(std::vector<std::string> header, std::vector<int> decimals, int width)
      : header_(std::move(header)), decimals_(std::move(decimals)), width_(width) {}

  void Add(std::vector<double> row) { rows_.push_back(std::move(row)); }

  void Print() const {
    Line(header_);
    std::vector<std::vector<double>> columns(decimals_.size());
    for (size_t i = 0; i < rows_.size(); ++i) {
      Row(std::to_string(i + 1), rows_[i]);
      for (size_t c = 0; c < columns.size(); ++c) columns[c].push_back(rows_[i][c]);
    }
    std::vector<double> med;
    for (auto& c : columns) med.push_back(Median(c));
    Row("median", med);
  }

 private:
  void Row(const std::string& name, const std::vector<double>& v) const {
    std::vector<std::string> cells = {name};
    for (size_t c = 0; c < v.size(); ++c) cells.push_back(Fmt(v[c], decimals_[c]));
    Line(cells);
  }
  // The first cell left-aligned in 7 columns, the others right-aligned in `width_`.
  void Line(const std::vector<std::string>& cells) const {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      absl::StrAppend(&line, i == 0 ? absl::StrFormat("%-7s", cells[i])
                                    : absl::StrFormat("%*s", width_, cells[i]));
    }
    std::printf("%s\n", line.c_str());
  }

  std::vector<std::string> header_;
  std::vector<int> decimals_;
  int width_;
  std::vector<std::vector<double>> rows_;
};

}  // namespace

void PrintTable(const Config& cfg, const std::vector<RoundResult>& rounds,
                const std::string& bullmq_note) {
  std::string pn = absl::StrCat("P", cfg.raw_pipeline);
  Table offer({"round", "routed/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "raw/s P1",
               "raw/s " + pn, "e2e/raw P1", "e2e/raw " + pn},
              {0, 1, 1, 1, 1, 0, 0, 4, 4}, 14);
  Table calls({"round", "calls", "retried", "p50 ms", "p90 ms", "p99 ms", "max ms"},
              {0, 0, 2, 2, 2, 2}, 14);
  Table life({"round", "done/s", "bq jobs/s", "done/bq", "redis us/int", "bq redis us", "redis x",
              "cmds/int", "bq cmds/job", "routing us", "node us/job", "bench us"},
             {0, 0, 3, 0, 1, 2, 1, 1, 0, 1, 0}, 13);
  for (const auto& r : rounds) {
    offer.Add({r.routed_per_s, r.p50, r.p90, r.p99, r.max, r.raw_p1, r.raw_pn,
               r.routed_per_s / r.raw_p1, r.routed_per_s / r.raw_pn});
    calls.Add({static_cast<double>(r.calls), static_cast<double>(r.retried_calls), r.call_p50,
               r.call_p90, r.call_p99, r.call_max});
    const PeerResult& b = r.bullmq;
    double nan = std::nan("");
    bool bq = r.has_bullmq && b.error.empty();
    double bq_redis = bq ? b.add.cpu_us + b.work.cpu_us : nan;
    life.Add({r.done_per_s, bq ? b.jobs_per_s : nan, bq ? r.done_per_s / b.jobs_per_s : nan,
              r.redis.cpu_us, bq_redis, r.redis.cpu_us / bq_redis, r.redis.cmds,
              bq ? b.add.cmds + b.work.cmds : nan, CpuOf(r, "routing"), bq ? b.node_cpu_us : nan,
              CpuOf(r, "bench")});
  }
  std::printf("\n== omniroute-bench results ==\n");
  std::printf("-- submit -> offer (routing) beside the raw EVALSHA baseline --\n");
  offer.Print();
  std::printf(
      "routed/s: interactions offered to an agent per second, first submit sent -> last offer "
      "received.\n"
      "p50..max: submit answered -> offer received by the agent, per interaction (wall clock).\n"
      "raw/s: redis-benchmark EVALSHA of baseline_enqueue_match.lua on the same redis-server "
      "(%d clients, no pipelining / pipeline %d).\n"
      "e2e/raw: routed/s divided by raw/s.\n",
      cfg.raw_clients, cfg.raw_pipeline);
  std::printf("\n-- SubmitInteractions calls (batches of up to %d on %d threads) --\n", cfg.batch,
              cfg.concurrency);
  calls.Print();
  std::printf(
      "calls: SubmitInteractions calls answered with gRPC status OK (an item may still be refused: "
      "see the round's warnings).\n"
      "p50..max: client wall time of each such call, first attempt sent -> answer (a retried "
      "call's time includes its retries; retried: how many were).\n");
  std::printf(
      "\n-- full life cycle (submit -> classify -> offer -> accept -> complete) beside BullMQ "
      "(no-op worker, concurrency %d) on the same redis-server --\n",
      cfg.bullmq_concurrency);
  life.Print();
  std::printf(
      "done/s: interactions completed per second, first submit sent -> last CompleteInteraction "
      "answered OK.\n"
      "bq jobs/s: BullMQ jobs completed per second, worker.run() -> last job completed (jobs "
      "pre-added with addBulk, not timed).\n"
      "done/bq: done/s divided by bq jobs/s.\n"
      "redis us/int, cmds/int, routing us, bench us: per completed interaction over first submit "
      "-> last complete: Redis CPU (INFO cpu), Redis commands incl. those run by scripts (INFO "
      "commandstats), CPU of the routing process and of this bench (/proc).\n"
      "bq redis us, bq cmds/job: per BullMQ job, addBulk + timed window (the job's life cycle); "
      "node us/job: the node process, timed window only (the worker).\n"
      "redis x: redis us/int divided by bq redis us.\n"
      "The median row is the median of each column (a ratio's median is not the ratio of the "
      "medians).\n");
  if (!bullmq_note.empty()) std::printf("BullMQ: %s\n", bullmq_note.c_str());
}

void PrintMasterTable(const std::vector<RoundResult>& rounds, const RedisNodes& nodes,
                      const std::vector<BenchTenant>& tenants) {
  const size_t n = nodes.size();
  std::vector<std::string> header = {"round", "routed/s"};
  std::vector<int> decimals = {0};
  for (size_t i = 0; i < n; ++i) {
    header.push_back(absl::StrCat("m", i + 1, " us/int"));
    header.push_back(absl::StrCat("m", i + 1, " cmds/int"));
    decimals.insert(decimals.end(), {1, 1});
  }
  header.insert(header.end(), {"all us/int", "all cmds/int"});
  decimals.insert(decimals.end(), {1, 1});
  Table table(header, decimals, 13);
  for (const auto& r : rounds) {
    std::vector<double> row = {r.routed_per_s};
    for (size_t i = 0; i < n; ++i) {
      bool has = i < r.masters.size();
      row.push_back(has ? r.masters[i].redis.cpu_us : std::nan(""));
      row.push_back(has ? r.masters[i].redis.cmds : std::nan(""));
    }
    row.push_back(r.masters_total.redis.cpu_us);
    row.push_back(r.masters_total.redis.cmds);
    table.Add(std::move(row));
  }
  std::printf(
      "\n-- per master: Redis CPU (INFO cpu) and commands (INFO commandstats) per interaction "
      "routed for the master's tenants, first submit -> last complete --\n");
  table.Print();
  auto by_node = TenantIdsByNode(tenants, n);
  for (size_t i = 0; i < n; ++i) {
    std::printf("m%zu: %s, tenants %s\n", i + 1, nodes.name(i).c_str(),
                by_node[i].empty() ? "none" : absl::StrJoin(by_node[i], ", ").c_str());
  }
  std::printf(
      "all: every master's CPU and commands added up, divided by every routed interaction (%s).\n"
      "routed/s: every tenant's interactions offered to an agent per second, as above.\n",
      nodes.cluster() ? "a Redis Cluster" : "one redis-server");
}

void PrintViaTable(const std::vector<RoundResult>& rounds) {
  std::vector<std::string> vias;
  for (const auto& r : rounds) {
    if (std::find(vias.begin(), vias.end(), r.via) == vias.end()) vias.push_back(r.via);
  }
  if (vias.size() == 1 && vias[0] == "grpc") return;
  std::printf("\n-- submit transports: the same rounds by how they submitted --\n");
  for (const auto& via : vias) {
    Table t({"round", "routed/s", "sent p50", "sent p99", "acked p50", "acked p99", "call p50",
             "call p99", "intake us"},
            {0, 1, 1, 1, 1, 2, 2, 0}, 11);
    for (const auto& r : rounds) {
      if (r.via != via) continue;
      t.Add({r.routed_per_s, r.sent_p50, r.sent_p99, r.p50, r.p99, r.call_p50, r.call_p99,
             CpuOf(r, "intake")});
    }
    std::printf("via %s:\n", via.c_str());
    t.Print();
  }
  std::printf(
      "round: the run's round number among those of this transport.\n"
      "sent p50/p99: per interaction, SubmitInteractions call sent -> offer received by the agent "
      "(ms; the transport's own time included). acked p50/p99: submit answered -> offer (ms).\n"
      "call p50/p99: client wall time of each SubmitInteractions call (ms). intake us: intake's "
      "CPU per completed interaction.\n");
}

}  // namespace omniroute::bench
