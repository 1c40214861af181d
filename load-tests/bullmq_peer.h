#pragma once

// The BullMQ peer baseline of omniroute-bench: load-tests/bullmq/noop-worker.js (a no-op BullMQ
// Worker, concurrency 50) run by Node.js against the same redis-server as omniroute, measured
// with the same counters (Redis INFO cpu + commandstats, /proc/<pid>/stat of the node process).
// DESIGN.md names BullMQ on the same Redis as the benchmark's yardstick.

#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "load-tests/cpu_counters.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::bench {

// One measured BullMQ run. Per-job figures divide by the completed jobs.
struct PeerResult {
  std::string error;  // non-empty: the run failed and the figures below are NaN
  int64_t jobs = 0, completed = 0, failed = 0;
  // worker.run() called -> last job completed (the timed window), and from the first job
  // started; jobs/s over the timed window, and with the untimed addBulk added to it.
  double seconds = std::nan(""), seconds_from_first_start = std::nan("");
  double jobs_per_s = std::nan(""), jobs_per_s_with_add = std::nan("");
  double add_seconds = std::nan("");
  RedisCost work;  // the timed window: the worker fetching, processing and finishing jobs
  RedisCost add;   // the pre-add with addBulk (not timed)
  double node_cpu_us = std::nan(""), add_node_cpu_us = std::nan("");
  double redis_busy = std::nan("");  // Redis CPU / wall time of the timed window
  // omniroute's own Redis traffic while idle (its agents' blocking stream reads, gauge
  // refreshes), measured for 1 s before the node process starts; it is included in `work`.
  double idle_cmds_per_s = std::nan(""), idle_cpu_us_per_s = std::nan("");
};

class BullmqPeer {
 public:
  struct Options {
    std::string dir;   // load-tests/bullmq: package-lock.json, install.sh, noop-worker.js
    std::string node;  // "node" (looked up on PATH) or a path
    int concurrency = 50;
    int warmup = 500;
    int keep_completed = 1000;  // Worker removeOnComplete {count}; -1 keeps every job
    int keep_failed = 5000;     // Worker removeOnFail {count}
    int timeout_seconds = 300;  // one run, and the npm install
  };

  BullmqPeer(redis::Endpoint endpoint, std::string work_dir, Options options);

  // Finds node, installs the pinned npm packages when missing or stale (install.sh) and reads
  // the versions. An error says in one line why BullMQ cannot run.
  absl::Status Prepare();
  // "node v20.x, bullmq 6.7.6 (ioredis 6.0.0), Worker concurrency 50, ..." (after Prepare).
  std::string Describe() const;
  // Runs `jobs` jobs on a fresh queue `queue`, reading the Redis counters through `stats`
  // between the script's steps. Stops early (with an error) when `interrupted`.
  PeerResult Run(int jobs, const std::string& queue, redis::Connection& stats,
                 const std::atomic<bool>& interrupted);

 private:
  redis::Endpoint endpoint_;
  std::string work_dir_;
  Options options_;
  std::string node_path_;
  std::string versions_;
  int runs_ = 0;
};

}  // namespace omniroute::bench
