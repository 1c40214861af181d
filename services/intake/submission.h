#pragma once

#include <map>
#include <string>

#include "absl/status/status.h"

namespace omniroute::intake {

// Limits on what an integrator may submit (documented in intake.proto).
inline constexpr size_t kMaxSubjectBytes = 1000;
inline constexpr size_t kMaxBodyBytes = 16384;
inline constexpr size_t kMaxIdempotencyKeyBytes = 128;
inline constexpr size_t kMaxReasonBytes = 256;
inline constexpr int kMaxBatch = 500;
inline constexpr int kMaxChannel = 7;  // v1::CHANNEL_TASK

// A new interaction as submitted, free of transport types.
struct Submission {
  int channel = 0;  // v1::Channel
  std::string customer_id;
  std::string subject;
  std::string body;
  std::map<std::string, std::string> attributes;
  std::string idempotency_key;
  int priority = 0;  // 0 = let classification decide, else 1..4
  std::string queue;
  std::string preferred_agent_id;
};

// Checks every field; the error names the first invalid field (e.g. "subject: ...").
absl::Status ValidateSubmission(const Submission& s);

// A digest of everything but the idempotency key: reusing a key with a different request is
// detected by comparing it.
std::string Fingerprint(const Submission& s);

// Redis hash fields of a new interaction (field, value, ...), without id/state/timestamps.
std::vector<std::string> HashFields(const Submission& s);

}  // namespace omniroute::intake
