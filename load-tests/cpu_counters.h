#pragma once

// CPU and Redis command counters that omniroute-bench reads before and after a round.

#include <sys/types.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "load-tests/redis_nodes.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::bench {

// Redis-side counters: CPU of redis-server, script calls (EVALSHA and FCALL) and their time, and
// every command executed
// (Redis counts the commands run inside scripts too).
struct RedisCounters {
  double cpu_seconds = std::nan("");
  int64_t script_calls = 0;
  int64_t script_usec = 0;
  int64_t all_calls = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> commands;  // name -> (calls, usec)
  std::string version;
};

// INFO all of the server behind `conn`; all zero (CPU NaN) when INFO fails.
RedisCounters ReadRedisCounters(redis::Connection& conn);
// The counters of every node, in the order of `nodes`.
std::vector<RedisCounters> ReadRedisCounters(RedisNodes& nodes);
// The nodes' counters added up (the version of the first); CPU NaN when any node's is.
RedisCounters SumCounters(const std::vector<RedisCounters>& nodes);

// What Redis did between two readings, per unit of work (an interaction, a job).
struct RedisCost {
  double cpu_seconds = std::nan("");  // in total, not per unit
  double cpu_us = std::nan("");
  double scripts = std::nan("");
  double script_us = std::nan("");
  double cmds = std::nan("");  // every command, those run inside scripts included
  std::string top_commands;    // the 8 commands that took the most time: "name us/calls", ...
};
RedisCost RedisCostPer(const RedisCounters& before, const RedisCounters& after, double units);

// CPU seconds (user + system) of a process, from /proc/<pid>/stat; NaN when unreadable.
double ProcessCpuSeconds(pid_t pid);

// CPU seconds (user + system) of this process.
double SelfCpuSeconds();

// CPU seconds so far of Redis ("redis": INFO cpu of every node of `nodes`, added up; left out
// without `nodes` or when INFO fails), of each process in `pids` and of this process ("bench").
std::map<std::string, double> CpuNow(const std::map<std::string, pid_t>& pids, RedisNodes* nodes);

}  // namespace omniroute::bench
