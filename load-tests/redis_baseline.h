#pragma once

// The raw-Redis baseline of omniroute-bench: redis-benchmark running EVALSHA of
// baseline_enqueue_match.lua (one enqueue-and-match decision, nothing else) against the same
// redis-server the services use.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::bench {

// The source of load-tests/baseline_enqueue_match.lua, embedded at build time.
extern const char kBaselineScript[];

struct RawRun {
  double rps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Parses the --csv output of redis-benchmark (header line, then one line per test); the last
// data line wins.
absl::StatusOr<RawRun> ParseRedisBenchmarkCsv(const std::string& output);

class RedisBaseline {
 public:
  struct Options {
    std::string redis_benchmark = "/usr/bin/redis-benchmark";
    int requests = 100000;
    int clients = 50;
    int keyspace = 100000;  // -r: distinct item ids
    int agents = 100;       // members seeded in the agents zset
    int timeout_seconds = 120;
  };

  RedisBaseline(redis::Endpoint endpoint, std::string script_source, std::string work_dir,
                Options options);

  // SCRIPT LOAD and seeding of the agents zset.
  absl::Status Prepare();
  // One redis-benchmark run with `pipeline` requests per round trip (1 = no pipelining).
  absl::StatusOr<RawRun> Run(int pipeline);
  // The redis-benchmark arguments of a run (for the report).
  std::vector<std::string> Args(int pipeline) const;
  // Deletes every key the baseline wrote (bounded SCAN over its item hashes).
  void Cleanup();
  const std::string& sha() const { return sha_; }

 private:
  redis::Endpoint endpoint_;
  std::string source_;
  std::string work_dir_;
  Options options_;
  std::string sha_;
  int runs_ = 0;
};

}  // namespace omniroute::bench
