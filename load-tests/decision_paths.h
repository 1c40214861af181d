#pragma once

// The three calls omniroute-decision-bench measures (see decision_bench.cc) and the runner that
// times them on one World.

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "load-tests/decision_stats.h"
#include "load-tests/decision_world.h"

namespace omniroute::bench::decision {

enum class Path { kAvailable, kEnqueue, kComplete };
const char* PathName(Path p);

// Runs `warmup + count` decisions of one path on one scenario; the first `warmup` are not
// recorded. `cursor` picks the next agent (kept across rounds). `interrupted` stops a run.
class PathRunner {
 public:
  PathRunner(World* w, int* cursor, const std::atomic<bool>& interrupted)
      : w_(w), cursor_(cursor), interrupted_(interrupted) {}

  absl::StatusOr<Stats> Run(Path path, int warmup, int count);

 private:
  // Times `call` (one engine call = one FCALL) and reads Redis's command counters around it.
  template <typename F>
  absl::StatusOr<Sample> Measure(F call);
  // Exactly one offer is open after the measured call; returns its interaction.
  absl::StatusOr<std::string> OneOffer(const std::string& agent);
  // Accepts the offer, sets the agent AWAY, completes it: no further offer (every other agent
  // is AWAY or at capacity), the agent ends AWAY with free capacity.
  absl::Status Retire(const std::string& agent, const std::string& id);
  const std::string& NextRotating();
  absl::StatusOr<Sample> Available();
  absl::StatusOr<Sample> Enqueue();
  absl::StatusOr<Sample> Complete();

  World* w_;
  int* cursor_;
  const std::atomic<bool>& interrupted_;
  int other_ = 0;
  bool recording_ = false;
  std::map<std::string, std::pair<int64_t, int64_t>> totals_;
};

}  // namespace omniroute::bench::decision
