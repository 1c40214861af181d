#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/common.pb.h"
#include "omniroute/v1/intake.pb.h"
#include "services/common/clock.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"
#include "services/intake/submission.h"

namespace omniroute::intake {

struct IntakeOptions {
  int64_t event_max_len = 100000;        // cap of the tenant event feed
  int64_t finished_ttl_seconds = 86400;  // how long finished interactions stay readable
  // Durability over a failover: a Submit is acknowledged only once this many replicas of the
  // tenant's Redis master have its writes (WAIT), at most wait_ms; 0 = at once (asynchronous
  // replication: a failover may lose what was acknowledged in the last moments).
  int wait_replicas = 0;
  int wait_ms = 200;
};

struct SubmitOutcome {
  std::string interaction_id;
  bool created = false;
};

// Stores interactions in Redis (one Lua script per transition). No gRPC types.
// Submissions stored by one script call (a bigger batch takes several): long enough to pay for
// the call, short enough that Redis is not held for long.
inline constexpr size_t kSubmitChunk = 50;

class IntakeStore {
 public:
  IntakeStore(redis::Pool* pool, const redis::Scripts* scripts, const Clock* clock,
              IdGenerator* ids, IntakeOptions options)
      : pool_(pool), scripts_(scripts), clock_(clock), ids_(ids), options_(options) {}

  // Stores each valid submission and appends it to the tenant intake stream, in one round
  // trip for the batch. Each result is OK, or the reason that item was not stored. The
  // submissions must have passed ValidateSubmission. `deadline_unix_ms` (0 = none) is the
  // caller's deadline: when Redis runs the script after it (Redis's clock; e.g. Redis was
  // stalled while the request waited in its socket), nothing is stored and every item is
  // DEADLINE_EXCEEDED, so a caller that gave up never has its request executed later.
  std::vector<absl::StatusOr<SubmitOutcome>> Submit(const std::string& tenant,
                                                    const std::vector<const Submission*>& batch,
                                                    int64_t deadline_unix_ms = 0);

  // Where a cancel abandoned work: the queue it waited in (or was offered from) and its channel.
  struct Abandoned {
    std::string queue;
    int channel = 0;
  };
  // Cancels an interaction not yet assigned; returns the state it ends in. When the work was
  // waiting in a queue or offered, `abandoned` (if given) gets the queue and channel.
  absl::StatusOr<v1::InteractionState> Cancel(const std::string& tenant, const std::string& id,
                                              const std::string& reason,
                                              Abandoned* abandoned = nullptr);

  // Reads an interaction. With `queue_position`, also its 1-based place in the order its queue
  // serves its channel while it waits there, 0 otherwise (intake/queue_position.lua), and its
  // estimated wait while it has a place (Interaction.estimated_wait, when the queue's inputs
  // allow one), in the same round trip.
  absl::StatusOr<v1::Interaction> Get(const std::string& tenant, const std::string& id,
                                      int64_t* queue_position = nullptr);

  // Every (tenant, queue, channel) a queue can abandon work on, read from Redis: the intake
  // replicas create their abandoned counters at 0 from it.
  struct QueueChannel {
    std::string tenant;
    std::string queue;
    int channel = 0;
  };
  absl::StatusOr<std::vector<QueueChannel>> ListQueueChannels();
  // Creates or replaces a customer profile (validated by the caller); returns the value boost
  // (s) the customer's work gets now.
  absl::StatusOr<double> UpsertCustomer(const std::string& tenant, const v1::Customer& customer);

 private:
  // With wait_replicas: WAIT for the replicas of the tenant's master; every stored result becomes
  // UNAVAILABLE when too few acknowledged in time.
  void WaitForReplicas(redis::Connection& conn, const TenantKeys& keys,
                       std::vector<absl::StatusOr<SubmitOutcome>>& results);

  redis::Pool* pool_;
  const redis::Scripts* scripts_;
  const Clock* clock_;
  IdGenerator* ids_;
  IntakeOptions options_;
};

}  // namespace omniroute::intake
