// omniroute-decision-bench: the latency of one routing decision as queue depth and agent count
// grow. Two scenarios in the same run, each on its own private redis-server: A (default 1,000
// queued interactions, 100 agents) and B (1,000,000 queued, 10,000 agents). Each measures, with
// the RoutingEngine called directly (no gRPC, a FakeClock), three calls that make exactly one
// offer each while the queue depth stays constant:
//
//   available  SetAgentState AWAY -> AVAILABLE (agent_state.lua: match_agent offers the head)
//   enqueue    Enqueue of a classified interaction while one agent is free (enqueue.lua: the
//              new item, priority 1, ranks first and is offered at once)
//   complete   Complete by a busy agent (complete.lua: release, match_agent offers the head)
//
// Rounds interleave the scenarios (A, B, A, B, ...) and the table shows per-column medians.
// Prints figures, never pass/fail. See load-tests/README.md, "Decision latency vs scale".
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "load-tests/decision_paths.h"
#include "load-tests/decision_report.h"
#include "load-tests/decision_world.h"
#include "services/common/config/flags.h"

namespace omniroute::bench::decision {
namespace {

std::atomic<bool> g_interrupted{false};
void OnSignal(int) { g_interrupted.store(true); }

struct Config {
  int64_t a_queued = 1000;
  int a_agents = 100;
  int64_t b_queued = 1000000;
  int b_agents = 10000;
  int decisions = 2000;
  int warmup = 100;
  int rounds = 3;
  int rotating_agents = 10;
  int fill_batch = 1000;
  std::string paths = "available,enqueue,complete";
};

int Fail(int rc, absl::string_view message) {
  std::fprintf(stderr, "omniroute-decision-bench: %s\n", std::string(message).c_str());
  return rc;
}

int Run(const Config& cfg) {
  if (cfg.a_queued < 2 || cfg.b_queued < 2 || cfg.a_agents < 1 || cfg.b_agents < 1 ||
      cfg.decisions < 1 || cfg.rounds < 1 || cfg.warmup < 0 || cfg.rotating_agents < 1 ||
      cfg.fill_batch < 1) {
    return Fail(2,
                "--a-queued/--b-queued must be >= 2; --a-agents, --b-agents, --decisions, "
                "--rounds, --rotating-agents, --fill-batch >= 1; --warmup >= 0");
  }
  std::vector<Path> paths;
  for (Path p : {Path::kAvailable, Path::kEnqueue, Path::kComplete}) {
    if (cfg.paths.find(PathName(p)) != std::string::npos) paths.push_back(p);
  }
  if (paths.empty()) return Fail(2, "--paths: none of available, enqueue, complete");

  std::vector<Size> sizes = {
      {"A", cfg.a_queued, cfg.a_agents, cfg.rotating_agents, cfg.fill_batch},
      {"B", cfg.b_queued, cfg.b_agents, cfg.rotating_agents, cfg.fill_batch}};
  std::vector<std::unique_ptr<World>> worlds;
  for (const auto& z : sizes) {
    std::printf("setting up scenario %s (%s queued, %s agents)...\n", z.name.c_str(),
                Thousands(z.queued).c_str(), Thousands(z.agents).c_str());
    std::fflush(stdout);
    auto w = World::Create(z, g_interrupted);
    if (!w.ok()) return Fail(1, absl::StrCat("scenario ", z.name, ": ", w.status().message()));
    worlds.push_back(std::move(*w));
    PrintSetup(*worlds.back());
  }
  for (auto& w : worlds) PrintMemory(*w, false);

  // Within a round each path runs on A and then at once on B, so the two runs a ratio compares
  // are close in time.
  Results results;
  std::vector<int> cursors(worlds.size(), 0);
  const char* header = "%-6s %-10s %-4s %9s %9s %9s %9s %8s %10s %10s\n";
  const char* row = "%-6s %-10s %-4s %9.1f %9.1f %9.1f %9.1f %8.0f %10.1f %10.1f%s\n";
  std::printf("\n");
  std::printf(header, "round", "path", "scen", "p50 us", "p90 us", "p99 us", "max us", "ops/s",
              "redis p50", "redis p99");
  for (int round = 1; round <= cfg.rounds; ++round) {
    for (Path p : paths) {
      auto& per = results[p];
      per.resize(worlds.size());
      for (size_t s = 0; s < worlds.size(); ++s) {
        PathRunner runner(worlds[s].get(), &cursors[s], g_interrupted);
        auto st = runner.Run(p, cfg.warmup, cfg.decisions);
        if (!st.ok()) return Fail(g_interrupted.load() ? 130 : 1, st.status().message());
        per[s].push_back(*st);
        std::string note = st->other_item_offered > 0
                               ? absl::StrCat("  (", st->other_item_offered,
                                              " offered the head, not the new item)")
                               : "";
        std::printf(row, std::to_string(round).c_str(), PathName(p), worlds[s]->size().name.c_str(),
                    st->p50, st->p90, st->p99, st->max, st->ops, st->redis_p50, st->redis_p99,
                    note.c_str());
        std::fflush(stdout);
      }
    }
  }

  PrintResults(cfg.rounds, cfg.decisions, paths, worlds, results);
  for (auto& w : worlds) PrintMemory(*w, true);
  return 0;
}

}  // namespace
}  // namespace omniroute::bench::decision

int main(int argc, char** argv) {
  using omniroute::bench::decision::Config;
  Config cfg;
  omniroute::config::Flags flags("omniroute-decision-bench");
  flags.Add("a-queued", &cfg.a_queued, "queued interactions of scenario A");
  flags.Add("a-agents", &cfg.a_agents, "agents of scenario A");
  flags.Add("b-queued", &cfg.b_queued, "queued interactions of scenario B");
  flags.Add("b-agents", &cfg.b_agents, "agents of scenario B");
  flags.Add("decisions", &cfg.decisions, "measured decisions per path, scenario and round");
  flags.Add("warmup", &cfg.warmup, "unmeasured decisions before each measured series");
  flags.Add("rounds", &cfg.rounds, "rounds; each runs A then B (the table shows medians)");
  flags.Add("rotating-agents", &cfg.rotating_agents,
            "agents kept AWAY between decisions (available and enqueue paths); the rest are "
            "AVAILABLE holding one assigned item each (complete path)");
  flags.Add("fill-batch", &cfg.fill_batch, "commands per pipeline when populating the backlog");
  flags.Add("paths", &cfg.paths, "paths to measure: any of available,enqueue,complete");
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = omniroute::bench::decision::OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  try {
    return omniroute::bench::decision::Run(cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "omniroute-decision-bench: %s\n", e.what());
    return 1;
  }
}
