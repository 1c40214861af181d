#pragma once

// The typed config of omniroute-bench: its flags, and the checks that complete it before a run.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/common.pb.h"
#include "services/common/config/flags.h"
#include "services/common/grpc/tls.h"

namespace omniroute::bench {

struct Config {
  int interactions = 20000;
  int batch = 100;
  int concurrency = 4;
  int rate = 0;
  int rounds = 3;
  int warmup = 500;
  int tenants = 1;
  int agents = 0;  // per tenant
  int agent_capacity = 50;
  std::string channels = "chat,email,messaging";
  int settle_concurrency = 16;
  std::string settle = "immediate";
  int round_timeout_seconds = 120;
  int raw_requests = 100000;
  int raw_clients = 50;
  int raw_pipeline = 16;
  int raw_keyspace = 100000;
  bool skip_raw = false;
  int bullmq_jobs = 0;  // 0 = --interactions
  int bullmq_concurrency = 50;
  int bullmq_warmup = -1;  // -1 = --warmup
  int bullmq_keep_completed = 1000;
  int bullmq_keep_failed = 5000;
  bool skip_bullmq = false;
  bool require_bullmq = false;
  std::string bullmq_dir;  // empty = load-tests/bullmq of the source tree this was built from
  std::string node = "node";
  std::string redis_benchmark = "/usr/bin/redis-benchmark";
  std::string baseline_script;
  std::string redis_url;
  bool redis_aof = false;
  int redis_cluster_masters = 0;   // > 0: start a private Redis Cluster of that many masters
  int redis_cluster_replicas = 0;  // replicas of each of its masters (0..2)
  std::string intake, classification, routing;
  // How interactions are submitted, by round in turn: "grpc", "http" or both ("grpc,http").
  std::string submit_via = "grpc";
  std::string intake_http;  // host:port of intake's HTTP port (started services: filled in)
  std::string intake_flags, classification_flags, routing_flags;
  tls::ClientFiles tls;  // how the bench reaches TLS ports (give the services theirs in *_flags)
  std::string bin_dir;
  std::string tenant;
};

// What Resolve derives from the config.
struct RunPlan {
  std::vector<v1::Channel> channels;  // --channels, parsed, without repeats
  std::string baseline_script;        // Lua source of the raw baseline
  // On a Redis Cluster (--redis-cluster-masters, or a redis+cluster:// --redis-url): the raw
  // baseline and BullMQ, which need one redis-server, are skipped.
  bool cluster = false;
  // Per-master figures are printed: on a cluster, or with several tenants (a single Redis is then
  // one master holding them all).
  bool per_master = false;
};

// Registers every bench flag on `flags`, writing into `cfg`.
void AddFlags(config::Flags& flags, Config* cfg);

// Checks the config and completes it: --agents 0 becomes enough agents per tenant for its
// share of a whole round,
// an empty --bin-dir this executable's directory, --bullmq-jobs 0 and --bullmq-warmup -1 the
// omniroute figures, an empty --bullmq-dir the source tree's load-tests/bullmq. Reads
// --baseline-script (or takes the embedded script) and checks that redis-benchmark exists unless
// --skip-raw. Errors are InvalidArgument with the message for the user.
absl::StatusOr<RunPlan> Resolve(Config* cfg);

// Agent slots in total: tenants x agents x capacity x channels.
int64_t Slots(const Config& cfg, const RunPlan& plan);

}  // namespace omniroute::bench
