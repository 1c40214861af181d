#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace omniroute {

// Global (not per-tenant) keys.
inline constexpr char kTenantsKey[] = "omniroute:tenants";
inline std::string ApiKeyKey(absl::string_view sha256_hex) {
  return absl::StrCat("omniroute:apikey:", sha256_hex);
}

// The tenants that have (or had) webhooks: what the omniroute-webhooks workers visit.
inline constexpr char kWebhookTenantsKey[] = "omniroute:webhook-tenants";

// Names of the consumer groups on the tenant streams.
inline constexpr char kClassificationGroup[] = "classification";
inline constexpr char kRoutingGroup[] = "routing";
// The webhook workers' group on the tenant event feed (read inside webhooks/fanout.lua).
inline constexpr char kWebhookGroup[] = "webhooks";

// Builds the Redis keys of one tenant. Every key starts with the hash tag "{t:<tenant>}" so a
// tenant's keys share one slot (the layout is in services/common/lua/include/keys.lua and the
// README). The tenant id must have been validated (ValidateTenantId) so the tag cannot be escaped.
class TenantKeys {
 public:
  explicit TenantKeys(absl::string_view tenant) : prefix_(absl::StrCat("{t:", tenant, "}")) {}

  const std::string& prefix() const { return prefix_; }
  std::string Interaction(absl::string_view id) const { return absl::StrCat(prefix_, ":ix:", id); }
  std::string Idempotency(absl::string_view key) const {
    return absl::StrCat(prefix_, ":idem:", key);
  }
  std::string IntakeStream() const { return absl::StrCat(prefix_, ":s:intake"); }
  std::string ClassifiedStream() const { return absl::StrCat(prefix_, ":s:classified"); }
  std::string Events() const { return absl::StrCat(prefix_, ":events"); }
  // Agents' corrections of classifications (Reclassify), oldest first, capped.
  std::string Corrections() const { return absl::StrCat(prefix_, ":corrections"); }
  std::string Config() const { return absl::StrCat(prefix_, ":cfg"); }
  // The SHA-256 of every API key of the tenant (the keys themselves are global: ApiKeyKey).
  std::string ApiKeys() const { return absl::StrCat(prefix_, ":apikeys"); }
  std::string Queues() const { return absl::StrCat(prefix_, ":queues"); }
  std::string QueueConfig(absl::string_view q) const { return absl::StrCat(prefix_, ":qc:", q); }
  std::string QueueStats(absl::string_view q) const { return absl::StrCat(prefix_, ":qs:", q); }
  // The inputs of a queue's estimated wait, written by the routing gauge loop (wait_estimate.h).
  std::string WaitInputs(absl::string_view q) const { return absl::StrCat(prefix_, ":ewt:", q); }
  // Waiting interactions that need no skills beyond the queue's (skill signature "0").
  std::string Waiting(absl::string_view q, int channel) const {
    return absl::StrCat(prefix_, ":q:", q, ":", channel, ":0");
  }
  // The same waiting interactions ordered by first-queued time (oldest wait).
  std::string WaitingByAge(absl::string_view q, int channel) const {
    return absl::StrCat(prefix_, ":qt:", q, ":", channel);
  }
  // Every agent eligible for the queue with free capacity on the channel (signature "0").
  std::string Available(absl::string_view q, int channel) const {
    return absl::StrCat(prefix_, ":qa:", q, ":", channel, ":0");
  }
  // A customer's profile (Intake.UpsertCustomer).
  std::string CustomerProfile(absl::string_view c) const {
    return absl::StrCat(prefix_, ":custp:", c);
  }
  std::string Agents() const { return absl::StrCat(prefix_, ":agents"); }
  // The agents in a state (offline|available|away), and the available or away agents serving
  // a queue, ordered by id (sorted sets of score 0, read with ZRANGE BYLEX).
  std::string AgentList(absl::string_view state) const {
    return absl::StrCat(prefix_, ":agx:", state);
  }
  std::string QueueMembers(absl::string_view q, absl::string_view state) const {
    return absl::StrCat(prefix_, ":qm:", q, ":", state);
  }
  std::string Agent(absl::string_view a) const { return absl::StrCat(prefix_, ":ag:", a); }
  std::string AgentSkills(absl::string_view a) const { return absl::StrCat(prefix_, ":agsk:", a); }
  std::string AgentOffers(absl::string_view a) const { return absl::StrCat(prefix_, ":ao:", a); }
  std::string AgentQueues(absl::string_view a) const { return absl::StrCat(prefix_, ":agq:", a); }
  std::string Explanations(absl::string_view id) const { return absl::StrCat(prefix_, ":ex:", id); }
  std::string WrapUps() const { return absl::StrCat(prefix_, ":wrapups"); }
  std::string Timers() const { return absl::StrCat(prefix_, ":timers"); }
  // Sources of provider webhooks: name -> InboundSource (wire format, with its secret).
  std::string InboundSources() const { return absl::StrCat(prefix_, ":insrc"); }
  // Webhooks out (the rest of their keys are spelled in keys.lua): webhook id -> route
  // ("<1|0> <start event id> <types csv>"), a webhook's hash, the lanes due for delivery, and
  // the dead letters (ids by sequence, and each one's hash).
  std::string WebhookRoutes() const { return absl::StrCat(prefix_, ":wh:routes"); }
  std::string Webhook(absl::string_view id) const { return absl::StrCat(prefix_, ":wh:sub:", id); }
  std::string WebhookPending() const { return absl::StrCat(prefix_, ":wh:pending"); }
  std::string WebhookDropped() const { return absl::StrCat(prefix_, ":wh:dropped"); }
  std::string WebhookDue() const { return absl::StrCat(prefix_, ":wh:due"); }
  std::string WebhookDead() const { return absl::StrCat(prefix_, ":wh:dead"); }
  std::string WebhookDeadLetter(absl::string_view delivery_id) const {
    return absl::StrCat(prefix_, ":wh:dead:", delivery_id);
  }

 private:
  std::string prefix_;
};

}  // namespace omniroute
