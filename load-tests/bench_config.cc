#include "load-tests/bench_config.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "load-tests/redis_baseline.h"

namespace omniroute::bench {
namespace {

absl::StatusOr<std::vector<v1::Channel>> ParseChannels(const std::string& csv) {
  std::vector<v1::Channel> out;
  for (absl::string_view name : absl::StrSplit(csv, ',', absl::SkipEmpty())) {
    v1::Channel c;
    if (!v1::Channel_Parse("CHANNEL_" + absl::AsciiStrToUpper(name), &c) ||
        c == v1::CHANNEL_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat("--channels: unknown channel '", name, "'"));
    }
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  if (out.empty()) return absl::InvalidArgumentError("--channels: at least one channel");
  return out;
}

std::string ExeDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

}  // namespace

void AddFlags(config::Flags& flags, Config* cfg) {
  flags.Add("interactions", &cfg->interactions, "interactions submitted per measured round");
  flags.Add("batch", &cfg->batch, "interactions per SubmitInteractions call (1..500)");
  flags.Add("concurrency", &cfg->concurrency, "threads submitting batches at once");
  flags.Add("rate", &cfg->rate, "submitted interactions per second (0 = as fast as accepted)");
  flags.Add("rounds", &cfg->rounds, "measured rounds (each followed by the raw baseline)");
  flags.Add("warmup", &cfg->warmup, "interactions submitted before the first round (not measured)");
  flags.Add("tenants", &cfg->tenants,
            "tenants sharing each round's interactions, each with its own queue, rules and agents "
            "(on a Redis Cluster spread evenly over the masters)");
  flags.Add("agents", &cfg->agents,
            "simulated agents per tenant, each following its offers (0 = enough capacity for the "
            "tenant's share of a whole round)");
  flags.Add("agent-capacity", &cfg->agent_capacity, "capacity of each agent per channel (1..50)");
  flags.Add("channels", &cfg->channels,
            "channels of the bench queue and of the traffic (voice,chat,email,sms,messaging,...)");
  flags.Add("settle-concurrency", &cfg->settle_concurrency,
            "offers being accepted and completed at once (calls in flight)");
  flags.Add("settle-threads", &cfg->settle_concurrency,
            "former name of --settle-concurrency (the agents no longer use threads)");
  flags.Add("settle", &cfg->settle,
            "immediate: accept + complete each offer as it arrives (the full life cycle under "
            "load); after-round: agents hold their offers until every offer of the round arrived "
            "(routing alone), then settle them");
  flags.Add("round-timeout-seconds", &cfg->round_timeout_seconds,
            "longest a round waits for its offers");
  flags.Add("raw-requests", &cfg->raw_requests, "redis-benchmark -n of each baseline run");
  flags.Add("raw-clients", &cfg->raw_clients, "redis-benchmark -c of each baseline run");
  flags.Add("raw-pipeline", &cfg->raw_pipeline, "redis-benchmark -P of the pipelined baseline run");
  flags.Add("raw-keyspace", &cfg->raw_keyspace, "redis-benchmark -r (distinct baseline item ids)");
  flags.Add("skip-raw", &cfg->skip_raw, "skip the redis-benchmark baseline");
  flags.Add("redis-benchmark", &cfg->redis_benchmark, "path of redis-benchmark");
  flags.Add("bullmq-jobs", &cfg->bullmq_jobs,
            "jobs of the BullMQ peer baseline per round (0 = --interactions)");
  flags.Add("bullmq-concurrency", &cfg->bullmq_concurrency, "BullMQ Worker concurrency");
  flags.Add("bullmq-warmup", &cfg->bullmq_warmup,
            "jobs each BullMQ run processes before the measured ones (-1 = --warmup)");
  flags.Add("bullmq-keep-completed", &cfg->bullmq_keep_completed,
            "BullMQ Worker removeOnComplete {count} (-1 = keep every job, BullMQ's default)");
  flags.Add("bullmq-keep-failed", &cfg->bullmq_keep_failed,
            "BullMQ Worker removeOnFail {count} (-1 = keep every job)");
  flags.Add("skip-bullmq", &cfg->skip_bullmq, "skip the BullMQ peer baseline");
  flags.Add("require-bullmq", &cfg->require_bullmq,
            "fail (exit 1) instead of skipping BullMQ when it cannot be installed or run");
  flags.Add("bullmq-dir", &cfg->bullmq_dir,
            "directory of noop-worker.js, install.sh and package-lock.json (default: the source "
            "tree's load-tests/bullmq)");
  flags.Add("node", &cfg->node, "Node.js executable for the BullMQ peer (name on PATH or path)");
  flags.Add("baseline-script", &cfg->baseline_script,
            "Lua file for the baseline (default: the embedded baseline_enqueue_match.lua)");
  flags.Add("redis-url", &cfg->redis_url,
            "use this Redis instead of starting one (redis://[[user]:password@]host:port[/db])");
  flags.Add("redis-aof", &cfg->redis_aof, "start the private Redis with AOF, appendfsync always");
  flags.Add("redis-cluster-masters", &cfg->redis_cluster_masters,
            "start a private Redis Cluster of this many masters (>= 3; replicas: "
            "--redis-cluster-replicas) instead of one redis-server (0 = one redis-server)");
  flags.Add("redis-cluster-replicas", &cfg->redis_cluster_replicas,
            "replicas of each master of the private Redis Cluster (0..2; only with "
            "--redis-cluster-masters), e.g. for --intake-flags=--redis-wait-replicas=1");
  flags.Add("intake", &cfg->intake,
            "address of a running intake (with --classification, "
            "--routing and --redis-url; empty = start the services)");
  flags.Add("classification", &cfg->classification, "address of a running classification");
  flags.Add("routing", &cfg->routing, "address of a running routing");
  flags.Add("intake-flags", &cfg->intake_flags, "extra flags for the started intake");
  flags.Add("submit-via", &cfg->submit_via,
            "how rounds submit, in turn: grpc, http (intake's HTTP/JSON front), or grpc,http to "
            "alternate the two in one run");
  flags.Add("intake-http", &cfg->intake_http,
            "host:port of a running intake's HTTP port (with --intake and --submit-via http)");
  flags.Add("classification-flags", &cfg->classification_flags,
            "extra flags for the started classification (e.g. '--workers=2')");
  flags.Add("routing-flags", &cfg->routing_flags, "extra flags for the started routing");
  flags.Add("bin-dir", &cfg->bin_dir,
            "directory of the omniroute-* executables (default: this executable's)");
  flags.Add("tenant", &cfg->tenant, "tenant id (default: bench-<random>)");
  tls::AddClientFlags(flags, &cfg->tls);
}

absl::StatusOr<RunPlan> Resolve(Config* cfg) {
  RunPlan plan;
  auto channels = ParseChannels(cfg->channels);
  if (!channels.ok()) return channels.status();
  plan.channels = *std::move(channels);
  if (cfg->settle != "immediate" && cfg->settle != "after-round") {
    return absl::InvalidArgumentError("--settle must be immediate or after-round");
  }
  if (cfg->tenants < 1 || cfg->tenants > 1000) {
    return absl::InvalidArgumentError("--tenants must be 1..1000");
  }
  if (cfg->redis_cluster_masters != 0 &&
      (cfg->redis_cluster_masters < 3 || cfg->redis_cluster_masters > 16)) {
    return absl::InvalidArgumentError(
        "--redis-cluster-masters must be 0 (one redis-server) or 3..16 (redis-cli --cluster "
        "create needs at least 3 masters)");
  }
  if (cfg->redis_cluster_masters > 0 && (!cfg->redis_url.empty() || cfg->redis_aof)) {
    return absl::InvalidArgumentError(
        "--redis-cluster-masters starts its own cluster: it excludes --redis-url and --redis-aof");
  }
  if (cfg->redis_cluster_replicas < 0 || cfg->redis_cluster_replicas > 2) {
    return absl::InvalidArgumentError("--redis-cluster-replicas must be 0..2");
  }
  if (cfg->redis_cluster_replicas > 0 && cfg->redis_cluster_masters == 0) {
    return absl::InvalidArgumentError(
        "--redis-cluster-replicas gives the private Redis Cluster replicas: it needs "
        "--redis-cluster-masters");
  }
  plan.cluster =
      cfg->redis_cluster_masters > 0 || absl::StartsWith(cfg->redis_url, "redis+cluster://");
  plan.per_master = plan.cluster || cfg->tenants > 1;
  if (plan.cluster && cfg->require_bullmq) {
    return absl::InvalidArgumentError(
        "--require-bullmq: BullMQ runs on a single redis-server, not on a Redis Cluster");
  }
  const int channel_count = static_cast<int>(plan.channels.size());
  if (cfg->agents == 0 && cfg->agent_capacity >= 1) {
    // Enough slots for a tenant's share of a whole round (plus 10 %), so offers never wait for
    // agent capacity even when accepting and completing falls behind.
    int per_agent = cfg->agent_capacity * channel_count;
    int64_t share =
        (static_cast<int64_t>(std::max(cfg->interactions, cfg->warmup)) + cfg->tenants - 1) /
        cfg->tenants;
    cfg->agents = std::max(20, static_cast<int>((share * 11 / 10 + per_agent - 1) / per_agent));
  }
  if (cfg->interactions < 1 || cfg->rounds < 1 || cfg->agents < 1 || cfg->agent_capacity < 1 ||
      cfg->agent_capacity > 50 || cfg->concurrency < 1 || cfg->batch < 1 || cfg->batch > 500 ||
      cfg->raw_pipeline < 1 || cfg->round_timeout_seconds < 1 || cfg->settle_concurrency < 1 ||
      cfg->bullmq_jobs < 0 || cfg->bullmq_concurrency < 1 || cfg->bullmq_warmup < -1) {
    return absl::InvalidArgumentError(
        "--interactions, --rounds, --agents, --concurrency, --raw-pipeline, --settle-concurrency, "
        "--bullmq-concurrency must be >= 1; --batch 1..500; --agent-capacity 1..50; "
        "--bullmq-jobs >= 0; --bullmq-warmup >= -1");
  }
  if (cfg->skip_bullmq && cfg->require_bullmq) {
    return absl::InvalidArgumentError("--skip-bullmq and --require-bullmq exclude each other");
  }
  if (cfg->bullmq_jobs == 0) cfg->bullmq_jobs = cfg->interactions;
  if (cfg->bullmq_warmup == -1) cfg->bullmq_warmup = cfg->warmup;
  if (cfg->bullmq_dir.empty()) cfg->bullmq_dir = OMNIROUTE_BULLMQ_DIR;
  bool given = !cfg->intake.empty() || !cfg->classification.empty() || !cfg->routing.empty();
  if (given && (cfg->intake.empty() || cfg->classification.empty() || cfg->routing.empty() ||
                cfg->redis_url.empty())) {
    return absl::InvalidArgumentError(
        "with given services, pass all of --intake, --classification, --routing and --redis-url");
  }
  bool http = false;
  for (absl::string_view via : absl::StrSplit(cfg->submit_via, ',')) {
    if (via != "grpc" && via != "http") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--submit-via: '", std::string(via), "' is neither grpc nor http (e.g. grpc,http)"));
    }
    http = http || via == "http";
  }
  if (http && given && cfg->intake_http.empty()) {
    return absl::InvalidArgumentError("--submit-via http with given services needs --intake-http");
  }
  if (cfg->bin_dir.empty()) cfg->bin_dir = ExeDir();
  plan.baseline_script = kBaselineScript;
  if (!cfg->baseline_script.empty()) {
    std::ifstream in(cfg->baseline_script);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", cfg->baseline_script));
    plan.baseline_script.assign(std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>());
  }
  if (!cfg->skip_raw && !plan.cluster && access(cfg->redis_benchmark.c_str(), X_OK) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        cfg->redis_benchmark, " not found (apt-get install redis-tools, or --skip-raw)"));
  }
  return plan;
}

int64_t Slots(const Config& cfg, const RunPlan& plan) {
  return static_cast<int64_t>(cfg.tenants) * cfg.agents * cfg.agent_capacity *
         static_cast<int64_t>(plan.channels.size());
}

}  // namespace omniroute::bench
