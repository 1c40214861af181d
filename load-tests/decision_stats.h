#pragma once

// Latency figures of omniroute-decision-bench: samples, their percentiles and what Redis ran.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace omniroute::bench::decision {

// How omniroute runs its scripts (services/common/redis/scripts.h): as Redis functions.
inline constexpr char kScriptCommand[] = "fcall";

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

// The median of `v` (0 when empty).
double Median(std::vector<double> v);

// Percentiles, maximum and throughput of `samples`; `other`: see Stats::other_item_offered.
Stats Summarize(const std::vector<Sample>& samples, int other);

}  // namespace omniroute::bench::decision
