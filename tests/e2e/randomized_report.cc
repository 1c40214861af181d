#include "tests/e2e/randomized_report.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_format.h"

namespace omniroute::e2e {

void PrintSummary(const RandomizedWorld& w, RunOutcome& out, Replay& replay, const IdleReport& idle,
                  const Canceler& canceler, Clock::time_point started) {
  auto n = [](int64_t v) { return static_cast<long long>(v); };
  std::string line = absl::StrFormat(
      "randomized: seed=%llu queues=%d (bullseye steps %d) agents=%d (decline %d, miss %d, "
      "breaks %d, skill changes %d, capacity profile %d) interactions=%zu ended "
      "completed/canceled/rejected=%lld/%lld/%lld steps_opened=%lld",
      static_cast<unsigned long long>(w.seed), kQueues, out.step_queues, kAgents, w.decliners,
      w.missers, w.breakers, w.changers, w.profiled, out.acked, n(out.ends["completed"]),
      n(out.ends["canceled"]), n(out.ends["rejected_by_policy"]), n(replay.by_type["step_opened"]));
  absl::StrAppendFormat(
      &line,
      " | events=%zu offered=%lld accepted=%lld declined=%lld offer_timeout=%lld (late answers "
      "%lld) away_for_missed=%lld came_back=%lld breaks=%lld skill_changes=%lld "
      "extra_skill_items=%lld cancels planned=%lld canceled queued/offered/other=%lld/%lld/%lld "
      "too_late ended/assigned=%lld/%lld",
      out.events, n(replay.by_type["offered"]), n(replay.by_type["accepted"]),
      n(replay.by_type["rejected"]), n(replay.by_type["offer_timeout"]), n(out.lapsed_late),
      n(out.away_missed), n(out.came_back), n(out.stats.breaks), n(out.stats.skill_changes),
      n(out.extra_skill_items), n(out.cancel_planned), n(out.canceled_from["queued"]),
      n(out.canceled_from["offered"]),
      n(out.ends["canceled"] - out.canceled_from["queued"] - out.canceled_from["offered"]),
      n(canceler.terminal), n(canceler.assigned));
  absl::StrAppendFormat(&line,
                        " | (a) owner_violations=%d (b) capacity_violations=%d (c) not_ended=%d "
                        "ended_twice=%d get_mismatch=%d leftovers=%zu",
                        out.owner_violations, out.capacity_violations, out.no_end, out.many_ends,
                        out.mismatched, out.leftovers.size());
  absl::StrAppendFormat(
      &line,
      " | (d) idle: samples=%lld (with work waiting %lld) sample_ms avg/max=%.2f/%.1f (in Redis "
      "%.2f/%.1f) "
      "max_gap_ms=%.0f episodes=%lld max_idle_ms=%.0f violations=%lld max_waiting=%lld "
      "max_free_agents=%lld",
      n(idle.samples), n(idle.busy_samples), idle.sample_ms_avg(), idle.sample_ms_max,
      idle.exec_ms_avg(), idle.exec_ms_max, idle.max_gap_ms, n(idle.episodes), idle.max_idle_ms,
      n(idle.violations), n(idle.max_waiting), n(idle.max_free_agents));
  absl::StrAppendFormat(&line, " | submit=%.1fs drained=%.1fs total=%.1fs", out.submit_s,
                        out.drain_s, SecondsSince(started));
  std::printf("%s\n", line.c_str());
  if (!idle.longest.empty())
    std::printf("randomized: longest idle episode: %s\n", idle.longest.c_str());
  std::fflush(stdout);
}

}  // namespace omniroute::e2e
