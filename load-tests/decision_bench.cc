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

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "load-tests/decision_world.h"
#include "services/common/config/flags.h"

namespace omniroute::bench::decision {
namespace {

// How omniroute runs its scripts (services/common/redis/scripts.h): as Redis functions.
constexpr char kScriptCommand[] = "fcall";

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

enum class Path { kAvailable, kEnqueue, kComplete };
const char* PathName(Path p) {
  switch (p) {
    case Path::kAvailable:
      return "available";
    case Path::kEnqueue:
      return "enqueue";
    case Path::kComplete:
      return "complete";
  }
  return "?";
}

// One measured call: wall latency in the bench and Redis's own time for the FCALL.
struct Sample {
  double us = 0;
  int64_t redis_us = 0;
};

// Per measured decision: command -> {calls, usec} inside Redis (INFO commandstats deltas).
using CommandCost = std::map<std::string, std::pair<double, double>>;

struct Stats {
  double p50 = 0, p90 = 0, p99 = 0, max = 0, ops = 0;
  double redis_p50 = 0, redis_p99 = 0;  // the FCALL's own time inside Redis
  int n = 0;
  int other_item_offered = 0;  // enqueue path: the head was offered, not the new item
  CommandCost commands;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Stats Summarize(const std::vector<Sample>& samples, int other) {
  Stats s;
  s.n = static_cast<int>(samples.size());
  s.other_item_offered = other;
  if (samples.empty()) return s;
  std::vector<double> us, redis;
  double total = 0;
  for (const auto& x : samples) {
    us.push_back(x.us);
    redis.push_back(static_cast<double>(x.redis_us));
    total += x.us;
  }
  std::sort(us.begin(), us.end());
  std::sort(redis.begin(), redis.end());
  s.redis_p50 = Percentile(redis, 0.50);
  s.redis_p99 = Percentile(redis, 0.99);
  s.p50 = Percentile(us, 0.50);
  s.p90 = Percentile(us, 0.90);
  s.p99 = Percentile(us, 0.99);
  s.max = us.back();
  s.ops = total > 0 ? 1e6 * static_cast<double>(us.size()) / total : 0;
  return s;
}

// Runs `warmup + count` decisions of one path on one scenario; the first `warmup` are not
// recorded. `cursor` picks the next agent (kept across rounds).
class PathRunner {
 public:
  PathRunner(World* w, int* cursor) : w_(w), cursor_(cursor) {}

  absl::StatusOr<Stats> Run(Path path, int warmup, int count) {
    std::vector<Sample> samples;
    samples.reserve(count);
    other_ = 0;
    totals_.clear();
    for (int i = 0; i < warmup + count; ++i) {
      recording_ = i >= warmup;
      if (g_interrupted.load()) return absl::CancelledError("interrupted");
      absl::StatusOr<Sample> s = path == Path::kAvailable ? Available()
                                 : path == Path::kEnqueue ? Enqueue()
                                                          : Complete();
      if (!s.ok()) {
        return absl::Status(s.status().code(),
                            absl::StrCat("scenario ", w_->size().name, ", ", PathName(path), ": ",
                                         s.status().message()));
      }
      if (i >= warmup) samples.push_back(*s);
    }
    if (auto st = w_->CheckSteadyState(); !st.ok()) return st;
    Stats stats = Summarize(samples, other_);
    for (const auto& [cmd, cost] : totals_) {
      stats.commands[cmd] = {static_cast<double>(cost.first) / count,
                             static_cast<double>(cost.second) / count};
    }
    return stats;
  }

 private:
  // Times `call` (one engine call = one FCALL) and reads Redis's command counters around it.
  template <typename F>
  absl::StatusOr<Sample> Measure(F call) {
    w_->clock().Advance(1);
    auto before = w_->CommandStats();
    if (!before.ok()) return before.status();
    auto t0 = std::chrono::steady_clock::now();
    absl::Status st = call();
    auto t1 = std::chrono::steady_clock::now();
    if (!st.ok()) return st;
    auto after = w_->CommandStats();
    if (!after.ok()) return after.status();
    Sample s;
    s.us = std::chrono::duration<double, std::micro>(t1 - t0).count();
    auto fcall = (*after)[kScriptCommand];
    auto fcall0 = (*before)[kScriptCommand];
    s.redis_us = fcall.second - fcall0.second;
    if (fcall.first - fcall0.first != 1) {
      return absl::InternalError(
          absl::StrCat(fcall.first - fcall0.first, " FCALL calls in one measured call"));
    }
    if (recording_) {
      for (const auto& [cmd, cost] : *after) {
        if (cmd == "info") continue;  // the probe itself
        auto it = before->find(cmd);
        int64_t calls = cost.first - (it == before->end() ? 0 : it->second.first);
        int64_t usec = cost.second - (it == before->end() ? 0 : it->second.second);
        if (calls > 0) {
          totals_[cmd].first += calls;
          totals_[cmd].second += usec;
        }
      }
    }
    return s;
  }

  // Exactly one offer is open after the measured call; returns its interaction.
  absl::StatusOr<std::string> OneOffer(const std::string& agent) {
    auto open = w_->Card(w_->keys().Timers());
    if (!open.ok()) return open.status();
    if (*open != 1) return absl::InternalError(absl::StrCat(*open, " offers made, expected 1"));
    return w_->LastOffer(agent);
  }

  // Accepts the offer, sets the agent AWAY, completes it: no further offer (every other agent
  // is AWAY or at capacity), the agent ends AWAY with free capacity.
  absl::Status Retire(const std::string& agent, const std::string& id) {
    auto& e = w_->engine();
    if (auto a = e.Accept(kTenant, agent, id); !a.ok()) return a.status();
    if (auto s = e.SetAgentState(kTenant, {agent, "away", {}, {}}); !s.ok()) return s.status();
    if (auto st = e.Complete(kTenant, agent, id).status(); !st.ok()) return st;
    auto open = w_->Card(w_->keys().Timers());
    if (!open.ok()) return open.status();
    if (*open != 0) return absl::InternalError("completing made an offer");
    return absl::OkStatus();
  }

  const std::string& NextRotating() {
    const auto& r = w_->rotating();
    return r[static_cast<size_t>((*cursor_)++) % r.size()];
  }

  absl::StatusOr<Sample> Available() {
    std::string agent = NextRotating();
    auto s = Measure([&] {
      auto r = w_->engine().SetAgentState(kTenant, {agent, "available", {}, {}});
      return r.status();
    });
    if (!s.ok()) return s.status();
    auto id = OneOffer(agent);
    if (!id.ok()) return id.status();
    if (auto st = Retire(agent, *id); !st.ok()) return st;
    if (auto st = w_->AddQueued(1); !st.ok()) return st;  // the head left: depth back to N
    return s;
  }

  absl::StatusOr<Sample> Enqueue() {
    std::string agent = NextRotating();
    if (auto st = w_->FreeAgentWithoutOffer(agent); !st.ok()) return st;
    auto item = w_->AddClassified(kUrgentPriority);
    if (!item.ok()) return item.status();
    auto s = Measure([&]() -> absl::Status {
      auto r = w_->engine().Enqueue({{kTenant, item->second, item->first}});
      if (!r.ok()) return r.status();
      if (r->size() != 1 || (*r)[0].outcome != "queued") {
        return absl::InternalError(absl::StrCat("enqueue: ", r->empty() ? "" : (*r)[0].outcome));
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s.status();
    auto id = OneOffer(agent);
    if (!id.ok()) return id.status();
    if (*id != item->first) ++other_;
    if (auto st = Retire(agent, *id); !st.ok()) return st;
    return s;
  }

  absl::StatusOr<Sample> Complete() {
    const auto& busy = w_->busy();
    std::string agent = busy[static_cast<size_t>((*cursor_)++) % busy.size()];
    std::string held = w_->holding()[agent];
    auto s = Measure([&] { return w_->engine().Complete(kTenant, agent, held).status(); });
    if (!s.ok()) return s.status();
    auto id = OneOffer(agent);
    if (!id.ok()) return id.status();
    if (auto a = w_->engine().Accept(kTenant, agent, *id); !a.ok()) return a.status();
    w_->holding()[agent] = *id;
    if (auto st = w_->AddQueued(1); !st.ok()) return st;
    return s;
  }

  World* w_;
  int* cursor_;
  int other_ = 0;
  bool recording_ = false;
  std::map<std::string, std::pair<int64_t, int64_t>> totals_;
};

// The commands one decision runs inside Redis, most time first: "zadd 4x 6.1".
std::string CostLine(const CommandCost& c, int top) {
  std::vector<std::pair<std::string, std::pair<double, double>>> v(c.begin(), c.end());
  double inside = 0, calls = 0, script = 0;
  for (const auto& [cmd, cost] : v) {
    if (cmd == kScriptCommand) {
      script = cost.second;
      continue;
    }
    inside += cost.second;
    calls += cost.first;
  }
  std::sort(v.begin(), v.end(),
            [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
  std::string out =
      absl::StrFormat("fcall %.1f us = %.0f commands %.1f us + Lua and redis.call glue %.1f us;",
                      script, calls, inside, script - inside);
  int shown = 0;
  for (const auto& [cmd, cost] : v) {
    if (cmd == kScriptCommand || shown++ >= top) continue;
    absl::StrAppend(&out, absl::StrFormat(" %s %.0fx %.1f", cmd, cost.first, cost.second));
  }
  return out;
}

int Fail(int rc, absl::string_view message) {
  std::fprintf(stderr, "omniroute-decision-bench: %s\n", std::string(message).c_str());
  return rc;
}

std::string Thousands(int64_t v) {
  std::string s = std::to_string(v), out;
  int n = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (n > 0 && n % 3 == 0 && *it != '-') out.push_back(',');
    out.push_back(*it);
    ++n;
  }
  return std::string(out.rbegin(), out.rend());
}

void PrintSetup(const World& w) {
  const Size& z = w.size();
  const SetupFigures& s = w.setup();
  std::printf(
      "scenario %s: %s queued, %s agents (%zu busy holding one chat item, %zu rotating), "
      "redis %s\n",
      z.name.c_str(), Thousands(z.queued).c_str(), Thousands(z.agents).c_str(), w.busy().size(),
      w.rotating().size(), w.version().c_str());
  std::printf("  setup: agents %.1f s, fill %s items %.1f s, busy logins %.1f s\n",
              s.agents_seconds, Thousands(s.memory.items).c_str(), s.fill_seconds, s.busy_seconds);
  std::printf("  check: %s\n", s.verify.c_str());
  std::fflush(stdout);
}

void PrintMemory(World& w, bool with_stream) {
  const MemoryFigures& m = w.setup().memory;
  if (m.items <= 0) return;
  double n = static_cast<double>(m.items);
  double hash = static_cast<double>(m.after_hashes - m.before) / n;
  double index = static_cast<double>(m.after_indexes - m.after_hashes) / n;
  double total = hash + index;
  std::printf(
      "memory %s: used_memory +%.1f MiB for %s queued interactions = %.0f B each "
      "(hash %.0f B + q and qt index entries %.0f B)\n",
      w.size().name.c_str(), static_cast<double>(m.after_indexes - m.before) / (1 << 20),
      Thousands(m.items).c_str(), total, hash, index);
  std::printf(
      "  MEMORY USAGE of one hash: populated (routing fields) %lld B, metadata-sized (every "
      "field intake + classification + enqueue write, no body) %lld B -> ~%.0f B per "
      "metadata-sized queued interaction\n",
      static_cast<long long>(m.populated_hash), static_cast<long long>(m.metadata_hash),
      total - static_cast<double>(m.populated_hash) + static_cast<double>(m.metadata_hash));
  auto stream = w.ClassifiedStreamUsage();
  if (with_stream && stream.ok() && stream->first > 0) {
    std::printf(
        "  s:classified keeps every enqueued interaction's entry after XACK: %lld entries, "
        "%lld B (%.0f B each)\n",
        static_cast<long long>(stream->first), static_cast<long long>(stream->second),
        static_cast<double>(stream->second) / static_cast<double>(stream->first));
  }
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

  // results[path][scenario] = one Stats per round. Within a round each path runs on A and
  // then at once on B, so the two runs a ratio compares are close in time.
  std::map<Path, std::vector<std::vector<Stats>>> results;
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
        PathRunner runner(worlds[s].get(), &cursors[s]);
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

  std::printf(
      "\n== omniroute-decision-bench results (median of %d round%s, %d decisions each) ==\n",
      cfg.rounds, cfg.rounds == 1 ? "" : "s", cfg.decisions);
  for (const auto& w : worlds) {
    std::printf("%s: %s queued interactions, %s agents\n", w->size().name.c_str(),
                Thousands(w->size().queued).c_str(), Thousands(w->size().agents).c_str());
  }
  std::printf("%-10s %-5s %9s %9s %9s %9s %8s %10s %10s\n", "path", "scen", "p50 us", "p90 us",
              "p99 us", "max us", "ops/s", "redis p50", "redis p99");
  const std::vector<double Stats::*> fields = {&Stats::p50,      &Stats::p90, &Stats::p99,
                                               &Stats::max,      &Stats::ops, &Stats::redis_p50,
                                               &Stats::redis_p99};
  for (Path p : paths) {
    const auto& per = results[p];
    for (size_t s = 0; s < worlds.size(); ++s) {
      std::vector<double> m;
      for (auto f : fields) {
        std::vector<double> x;
        for (const auto& st : per[s]) x.push_back(st.*f);
        m.push_back(Median(x));
      }
      std::printf("%-10s %-5s %9.1f %9.1f %9.1f %9.1f %8.0f %10.1f %10.1f\n", PathName(p),
                  worlds[s]->size().name.c_str(), m[0], m[1], m[2], m[3], m[4], m[5], m[6]);
    }
    // B/A: the median over rounds of each round's ratio (A and B ran back to back).
    std::vector<double> r;
    for (auto f : fields) {
      std::vector<double> x;
      for (size_t i = 0; i < per[0].size() && i < per[1].size(); ++i) {
        if (per[0][i].*f > 0) x.push_back(per[1][i].*f / (per[0][i].*f));
      }
      r.push_back(Median(x));
    }
    std::printf("%-10s %-5s %9.2f %9.2f %9.2f %9.2f %8.2f %10.2f %10.2f\n", PathName(p), "B/A",
                r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
  }
  std::printf("\nInside Redis per decision (last round; us; command calls x and time):\n");
  for (Path p : paths) {
    for (size_t s = 0; s < worlds.size(); ++s) {
      std::printf("  %-10s %s: %s\n", PathName(p), worlds[s]->size().name.c_str(),
                  CostLine(results[p][s].back().commands, 8).c_str());
    }
  }
  std::printf("\n");
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
