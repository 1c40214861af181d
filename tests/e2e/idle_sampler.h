// The idle check of the randomized run: idle_check.lua sampled on its own thread, and what it
// found (agents left idle beside waiting work they may take).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "services/common/redis/redis_client.h"
#include "tests/support/redis_server.h"

namespace omniroute::e2e {

inline constexpr int kIdleLimitMs = 100;
inline constexpr int kSampleEveryMs = 20;
inline constexpr int kMinPauseMs = 5;     // between the end of a sample and the start of the next
inline constexpr int kItemsPerList = 50;  // oldest waiting items the idle check looks at per list
// A bullseye step opens on the routing replicas' timer poll (every 100 ms) after its threshold:
// the idle check counts it open from then.
inline constexpr int kStepGraceMs = 100;
struct IdleReport {
  int64_t samples = 0;
  int64_t failed = 0;  // samples whose script call failed
  double sample_ms_max = 0;
  double sample_ms_total = 0;
  double exec_ms_max = 0;  // the script's own run time (Redis busy with it)
  double exec_ms_total = 0;
  double max_gap_ms = 0;   // longest time between the starts of two samples
  int64_t episodes = 0;    // (agent, interaction, epoch) pairs seen eligible and idle
  double max_idle_ms = 0;  // longest such episode, as observed
  int64_t violations = 0;  // episodes longer than the limit
  int64_t max_free_agents = 0;
  int64_t max_waiting = 0;
  int64_t busy_samples = 0;  // samples that found work waiting while some agent was free
  int64_t max_looked = 0;
  int64_t stale = 0;  // samples that found an item in a waiting set not in state 'queued'
  std::vector<std::string> examples;
  std::string longest;  // the longest episode, described
  // The first violations: the pair, when it was seen (wall clock ms) and what the routing
  // indexes said about it when the violation was detected.
  struct Violation {
    std::string agent;
    std::string id;
    int64_t first_wall_ms = 0;
    int64_t last_wall_ms = 0;
    std::string routing_view;
  };
  std::vector<Violation> details;

  double sample_ms_avg() const { return samples > 0 ? sample_ms_total / samples : 0; }
  double exec_ms_avg() const { return samples > 0 ? exec_ms_total / samples : 0; }
};

// Runs idle_check.lua every kSampleEveryMs on its own thread and tracks, for each (agent,
// interaction) pair the script reports, how long it stays eligible and idle. An episode is one
// pair with one epoch (the script's epoch changes when either side gets an offer or the agent
// changes state or skills), so a pair reported by two samples stayed eligible in between even
// when the samples are far apart. Durations are lower bounds: from the end of the first sample
// that saw the episode to the start of the last one.
class IdleSampler {
 public:
  // steps_json: the bullseye steps the test configured (see idle_check.lua's ARGV[4]).
  IdleSampler(const testing::RedisServer& redis, std::string prefix, int limit_ms = kIdleLimitMs,
              std::string steps_json = "{}");
  ~IdleSampler() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }

  // Stops sampling; episodes still open count as they stand.
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  IdleReport Report() const {
    std::lock_guard<std::mutex> lock(mu_);
    return report_;
  }

 private:
  struct Episode {
    double first_ms = 0;  // end of the first sample that saw it
    double last_ms = 0;   // start of the last sample that saw it
    int64_t first_wait_ms = 0;
    int64_t last_wait_ms = 0;
    int64_t first_wall_ms = 0;
    bool counted = false;  // already counted as a violation
    int detail = -1;       // index in report_.details
  };

  void Loop();
  void ReportGap(double gap);
  void Sample(double start);
  // What the routing state says about an agent and a waiting item (read right after the
  // sample that found the violation, not atomically with it).
  std::string RoutingView(const std::string& agent, const std::string& id);

  std::unique_ptr<redis::Connection> conn_;
  const std::string prefix_;
  const int limit_ms_;
  const std::string steps_json_;
  std::string sha_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::map<std::string, Episode> open_;
  IdleReport report_;
};

}  // namespace omniroute::e2e
