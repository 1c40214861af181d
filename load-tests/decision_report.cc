#include "load-tests/decision_report.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace omniroute::bench::decision {

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

void PrintResults(int rounds, int decisions, const std::vector<Path>& paths,
                  const std::vector<std::unique_ptr<World>>& worlds, const Results& results) {
  std::printf(
      "\n== omniroute-decision-bench results (median of %d round%s, %d decisions each) ==\n",
      rounds, rounds == 1 ? "" : "s", decisions);
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
    const auto& per = results.at(p);
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
                  CostLine(results.at(p)[s].back().commands, 8).c_str());
    }
  }
  std::printf("\n");
}

}  // namespace omniroute::bench::decision
