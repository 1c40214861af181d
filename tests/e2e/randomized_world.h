// The world of the randomized run (randomized_test.cc): a tenant on a cluster of two intake,
// two classification and four routing replicas, 20 random queues, classification rules,
// capacity profiles and 200 simulated agents, all drawn from one seed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/e2e_redis.h"
#include "tests/support/cluster.h"
#include "tools/sim/api_client.h"
#include "tools/sim/sim_agent.h"

namespace omniroute::e2e {

inline constexpr uint64_t kDefaultSeed = 20240611;
inline constexpr int kQueues = 20;
inline constexpr int kAgents = 200;
inline constexpr int kGeneralists = 4;  // every skill at 5, never misbehave: all work can complete
inline constexpr int kInteractions = 20000;
inline constexpr double kSubmitPerSecond = 250;  // both intake replicas together
inline constexpr double kCancelShare = 0.05;  // of the interactions, canceled 0..1.5 s after submit
// Skills of the random queues and agents; kRareSkill is held only by the generalists and
// kSpecialists slow specialists, and required by the first kRareQueues queues, so that work
// waits in those queues while most agents are idle (and not eligible for it).
inline constexpr const char* kCommonSkills[] = {"billing",   "tech",   "sales", "fraud",
                                                "retention", "french", "german"};
inline constexpr char kRareSkill[] = "legal";
inline constexpr int kSpecialists = 16;
inline constexpr int kRareQueues = 2;
// Capacity profiles of the tenant config (name, per-channel limits).
const std::vector<std::pair<std::string, std::map<v1::Channel, int>>>& Profiles();

// OMNIROUTE_RANDOM_SEED when set, else kDefaultSeed.
uint64_t SeedFromEnv();

struct QueueSpec {
  std::string name;
  std::vector<v1::Channel> channels;
  std::map<std::string, int> skills;
  v1::Strategy strategy = v1::STRATEGY_LONGEST_IDLE;
  int offer_timeout_seconds = 1;
  int max_wait_seconds = 0;
  // Bullseye steps, with what each leaves in force (cumulative), as the idle check needs them.
  struct Step {
    int after_ms = 0;
    std::map<std::string, int> skills;
    std::vector<std::string> add;
    std::optional<std::pair<std::string, int>> lower;  // what the step changes
    std::string drop;
  };
  std::vector<Step> steps;
};

// The steps of every queue as idle_check.lua's ARGV[4] JSON.
std::string StepsJson(const std::vector<QueueSpec>& queues);

// What the set-up built, for the run and its checks. Set up in this order (the random draws
// depend on it), each step failing the test fatally on an error (check HasFatalFailure() after
// each): StartCluster, PutQueues, PutTenantConfig, StartAgents.
struct RandomizedWorld {
  explicit RandomizedWorld(uint64_t s) : seed(s), rng(s) {}

  void StartCluster();
  void PutQueues();
  void PutTenantConfig();
  void StartAgents();
  // The traffic targets: each queue 1..4 times (its share of the traffic), the rare-skill
  // queues 10 times each.
  std::vector<std::pair<std::string, std::vector<v1::Channel>>> TrafficTargets();

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  // lo..hi distinct common skills at min_level..max_level each.
  std::map<std::string, int> RandomSkills(int lo, int hi, int min_level, int max_level);

  const uint64_t seed;
  std::mt19937_64 rng;
  std::unique_ptr<testing::Cluster> cluster;
  const std::string tenant = "randco";
  const std::string P = Prefix(tenant);
  std::map<std::string, std::string> keys;
  std::vector<std::unique_ptr<sim::ApiClient>> apis;  // 8 (see StartCluster)
  std::vector<QueueSpec> queues;
  const std::set<int> exclusive = {v1::CHANNEL_VOICE};
  std::map<std::string, std::map<int, int>> capacity;  // agent -> channel -> max
  std::vector<std::unique_ptr<sim::SimAgent>> agents;
  int decliners = 0, missers = 0, breakers = 0, changers = 0, profiled = 0;
  std::set<std::string> miss_on_purpose;  // agents that miss offers on purpose
};

}  // namespace omniroute::e2e
