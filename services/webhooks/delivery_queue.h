#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"
#include "services/common/clock.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"

namespace omniroute::webhooks {

struct QueueOptions {
  // How long a claimed delivery stays invisible to other workers; past it, another worker may
  // send it again (so it must exceed the HTTP time-out).
  int64_t lease_ms = 30000;
  int64_t max_pending = 50000;      // deliveries pending per webhook; beyond, events are dropped
  int64_t dead_letter_max = 10000;  // dead letters kept per tenant
  int fanout_batch = 500;           // events read from the feed per fan-out call
};

// A delivery a worker holds: the first delivery of one lane, leased with `token`.
struct Lease {
  std::string tenant;
  std::string member;  // "<webhook id>|<lane>"
  std::string token;
  int attempts = 0;   // failed attempts before this one
  std::string entry;  // the encoded event (fanout.lua)
  std::string url;
  std::string secret;
  std::string previous_secret;  // "" unless a rotated secret still signs

  std::string webhook_id() const { return member.substr(0, member.find('|')); }
};

struct FanOutResult {
  int64_t read = 0;     // events read from the feed
  int64_t queued = 0;   // deliveries queued
  int64_t dropped = 0;  // deliveries not queued: the webhook had max_pending
};

// What is waiting for a tenant's webhooks.
struct Backlog {
  int64_t pending = 0;       // deliveries queued, not yet delivered or dead-lettered
  int64_t unread = 0;        // feed events the fan-out has not read yet
  int64_t dead_letters = 0;  // dead letters kept
};

// The worker side of webhooks out, on Redis (webhooks/fanout.lua, claim.lua, settle.lua): moves
// events to the webhooks' lanes, leases lanes' first deliveries and settles them. Every call is
// one script run on one tenant's keys; any number of workers may call anything at any time.
class DeliveryQueue {
 public:
  DeliveryQueue(redis::Pool* pool, const redis::Scripts* scripts, const Clock* clock,
                QueueOptions options)
      : pool_(pool), scripts_(scripts), clock_(clock), options_(options) {}

  absl::StatusOr<FanOutResult> FanOut(const std::string& tenant);
  // Leases up to `max` due lanes of the tenant.
  absl::StatusOr<std::vector<Lease>> Claim(const std::string& tenant, int max);
  // Each returns false when the lease had ended (another worker holds the lane now): nothing
  // changed.
  absl::StatusOr<bool> Delivered(const Lease& lease);
  absl::StatusOr<bool> Retry(const Lease& lease, int64_t due_ms);
  absl::StatusOr<bool> DeadLetter(const Lease& lease, const v1::WebhookDeadLetter& dead);
  absl::StatusOr<Backlog> ReadBacklog(const std::string& tenant);
  // The tenants with webhooks (kWebhookTenantsKey).
  absl::StatusOr<std::vector<std::string>> Tenants();

  const QueueOptions& options() const { return options_; }

 private:
  absl::StatusOr<bool> Settle(const Lease& lease, const std::vector<std::string>& args);

  redis::Pool* pool_;
  const redis::Scripts* scripts_;
  const Clock* clock_;
  QueueOptions options_;
};

}  // namespace omniroute::webhooks
