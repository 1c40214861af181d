#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"

namespace omniroute::classification {

// Feedback for the intent model: agents' corrections of classifications (Reclassify), kept in
// the tenant's corrections log (Redis stream TenantKeys::Corrections(), capped) with the
// interaction's text, and exported as labelled CSV for retraining.

// Entries the corrections log keeps per tenant (older ones are trimmed, approximately).
inline constexpr int64_t kCorrectionsMaxLen = 100000;

// One correction as logged.
struct Correction {
  std::string log_id;  // stream entry id ("<ms>-<seq>")
  std::string interaction_id;
  std::string agent;
  int64_t at_ms = 0;
  std::string intent;    // the right intent
  std::string category;  // the right category
  std::string comment;
  // What classification had said.
  std::string from_intent;
  double from_confidence = 0;
  std::string from_category;
  std::string from_source;
  int channel = 0;
  std::string subject;
  std::string body;

  // The text as the model reads it: subject and body, separated by a space.
  std::string Text() const;
};

struct CorrectionRequest {
  std::string agent;
  std::string interaction_id;
  std::string intent;
  std::string category;  // already resolved (never empty)
  std::string comment;
};

// The classification that was corrected, as the interaction held it.
struct CorrectedFrom {
  std::string log_id;
  std::string category;
  int priority = 3;
  std::string queue;
  std::string rule;
  std::string intent;
  double confidence = 0;
  std::string source;
  std::string product_area;
};

// Checks a request's fields (agent, interaction id, intent, category, comment); the error
// names the field.
absl::Status ValidateCorrection(const CorrectionRequest& request);

// Records the correction (the reclassify script): NotFound for an unknown interaction,
// FailedPrecondition for one not yet classified.
absl::StatusOr<CorrectedFrom> RecordCorrection(redis::Connection& conn,
                                               const redis::Scripts& scripts,
                                               const std::string& tenant,
                                               const CorrectionRequest& request, int64_t now_ms,
                                               int64_t event_max_len, int64_t log_max_len);

// Reads the tenant's corrections log, oldest first: the corrections made at or after `since_ms`
// (0 = everything), fetched in pages of `page` entries.
absl::StatusOr<std::vector<Correction>> ReadCorrections(redis::Connection& conn,
                                                        const std::string& tenant, int64_t since_ms,
                                                        int page = 1000);

// Keeps the latest correction of each interaction (an agent may correct twice), in log order.
std::vector<Correction> LatestPerInteraction(const std::vector<Correction>& all);

}  // namespace omniroute::classification
