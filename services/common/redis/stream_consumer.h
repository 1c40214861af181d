#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"

namespace omniroute::redis {

// One entry of a tenant stream: the stream carries interaction ids only.
struct StreamEntry {
  std::string tenant;
  std::string entry_id;
  std::string interaction_id;
};

struct ConsumerOptions {
  std::string stream_suffix;  // "s:intake" or "s:classified"
  std::string group;          // consumer group name
  std::string consumer;       // unique per process
  int block_ms = 500;
  int count = 200;
  // Entries pending longer than this on any consumer (e.g. one that died) are claimed.
  int reclaim_idle_ms = 30000;
  int reclaim_every_ms = 5000;
  int tenants_refresh_ms = 1000;
  // How often each stream is trimmed of the entries the group has consumed (trim_stream.lua).
  int trim_every_ms = 1000;
  // On a Redis Cluster (no blocking read across tenants): the longest wait after a pass that
  // read nothing (it doubles from 1 ms while passes stay empty).
  int cluster_idle_ms = 20;
};

// Consumes one stream per tenant (every tenant in omniroute:tenants) through a consumer group:
// XREADGROUP for new entries, XAUTOCLAIM for entries of dead consumers. The handler must be
// idempotent and acknowledge each entry once its state change is durable (our Lua scripts
// XACK in the same script), so delivery is at-least-once and nothing is lost. Acknowledged
// entries are trimmed from the streams every trim_every_ms, in one pipeline.
// After a failure (a lost connection, a Redis error, a handler that failed) the consumer first
// reads its own pending entries again (XREADGROUP from id 0), at once, instead of leaving them
// to the dead-consumer reclaim; and with each reclaim it removes the group's consumers that are
// gone (common/reap_consumers.lua), so the groups do not collect one consumer per restart.
// On a Redis Cluster, where one read may not name streams of several slots, each pass reads every
// stream with its own XREADGROUP, all in one pipeline, without blocking; passes that find nothing
// wait 1, 2, 4 ... up to cluster_idle_ms between them, so an idle consumer costs one read per
// tenant every cluster_idle_ms and new work waits at most that long.
class StreamConsumer {
 public:
  using Handler = std::function<absl::Status(const std::vector<StreamEntry>&)>;

  StreamConsumer(Pool* pool, ConsumerOptions options, Handler handler,
                 const Scripts* scripts = &Scripts::Embedded())
      : pool_(pool),
        options_(std::move(options)),
        handler_(std::move(handler)),
        scripts_(scripts) {}

  // Runs until `stop`; survives Redis outages (logs once, retries).
  void Run(const std::atomic<bool>& stop);

  // One pass: refresh tenants if due, read one batch, reclaim if due. Returns entries handled.
  absl::StatusOr<int> PollOnce(Connection& conn);

 private:
  absl::StatusOr<int> Poll(Connection& conn);
  absl::Status RefreshTenants(Connection& conn);
  absl::StatusOr<int> Reclaim(Connection& conn);
  // Acknowledges entries whose payload was trimmed away (nothing to process), in one XACK.
  void AckGone(Connection& conn, const std::string& stream, const std::vector<std::string>& ids);
  // Reads this consumer's own pending entries once through (from id 0) and handles them.
  absl::StatusOr<int> RecoverOwn(Connection& conn);
  absl::Status Trim(Connection& conn);
  // XREADGROUP of `from` (stream -> id) as one reply: one command, blocking when `block`, on one
  // Redis; one command per stream, none blocking, on a cluster.
  absl::StatusOr<Reply> ReadStreams(Connection& conn,
                                    const std::map<std::string, std::string>& from, bool block);
  // Appends the entries of an XREADGROUP/XAUTOCLAIM reply; returns the ids of entries whose
  // payload was trimmed away (nothing to process: the caller acknowledges them).
  std::vector<std::string> AddEntries(const std::string& tenant, const Reply& entries,
                                      std::vector<StreamEntry>& out);

  Pool* pool_;
  ConsumerOptions options_;
  Handler handler_;
  const Scripts* scripts_;
  std::map<std::string, std::string> stream_to_tenant_;
  // Set by a failure: the next pass first takes back this consumer's pending entries.
  bool recover_own_ = true;
  int64_t next_refresh_ms_ = 0;
  int64_t next_reclaim_ms_ = 0;
  int64_t next_trim_ms_ = 0;
  int idle_ms_ = 0;  // cluster: the wait after the last pass
};

}  // namespace omniroute::redis
