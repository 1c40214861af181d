#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"
#include "services/common/clock.h"
#include "services/common/ids.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"

namespace omniroute::webhooks {

// At most this many webhooks per tenant.
inline constexpr int kMaxWebhooks = 50;
// RotateWebhookSecret's previous_secret_seconds: at most a week.
inline constexpr int kMaxPreviousSecretSeconds = 7 * 24 * 3600;

// A signing secret: "whsec_" and 64 hex digits of OpenSSL's RAND_bytes.
std::string NewSecret();

// The Admin side of webhooks out, on Redis (webhooks/*.lua; keys in README "Key layout"): the
// tenant's webhooks and its dead letters. Takes validated input (webhook_validation.h); no gRPC
// types. Safe to call from any number of threads and replicas.
class WebhookStore {
 public:
  using SecretSource = std::function<std::string()>;
  WebhookStore(redis::Pool* pool, const redis::Scripts* scripts, const Clock* clock,
               IdGenerator* ids, SecretSource secrets = NewSecret)
      : pool_(pool), scripts_(scripts), clock_(clock), ids_(ids), secrets_(std::move(secrets)) {}

  struct Written {
    v1::Webhook webhook;  // as stored, with its output fields
    std::string secret;   // a new secret (create, rotate); "" otherwise
  };
  // Creates the webhook (its id empty) or replaces the one with its id (NOT_FOUND when none).
  // FAILED_PRECONDITION when the tenant has kMaxWebhooks already.
  absl::StatusOr<Written> Put(const std::string& tenant, const v1::Webhook& webhook);
  absl::StatusOr<v1::Webhook> Get(const std::string& tenant, const std::string& id);
  // Every webhook of the tenant, by id.
  absl::StatusOr<std::vector<v1::Webhook>> List(const std::string& tenant);
  absl::Status Delete(const std::string& tenant, const std::string& id);
  // A new secret; the previous one signs too for `previous_seconds` (0..kMax...).
  absl::StatusOr<Written> RotateSecret(const std::string& tenant, const std::string& id,
                                       int previous_seconds);

  struct DeadLetterPage {
    std::vector<v1::WebhookDeadLetter> dead_letters;
    int64_t next_before = 0;  // where the next page starts (a sequence number); 0 = none
    int64_t total = 0;
  };
  // Newest first: `page_size` dead letters parked before sequence `before` (0 = the newest).
  absl::StatusOr<DeadLetterPage> ListDeadLetters(const std::string& tenant, int page_size,
                                                 int64_t before);
  absl::StatusOr<v1::RedeliverWebhookDeadLettersResponse> Redeliver(
      const std::string& tenant, const std::vector<std::string>& delivery_ids);
  // Returns how many of them existed.
  absl::StatusOr<int> DeleteDeadLetters(const std::string& tenant,
                                        const std::vector<std::string>& delivery_ids);

 private:
  // The webhooks' stored fields and counters, in one round trip.
  absl::StatusOr<std::vector<v1::Webhook>> Read(const std::string& tenant,
                                                const std::vector<std::string>& ids);

  redis::Pool* pool_;
  const redis::Scripts* scripts_;
  const Clock* clock_;
  IdGenerator* ids_;
  SecretSource secrets_;
};

}  // namespace omniroute::webhooks
