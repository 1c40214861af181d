#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"

namespace omniroute {

inline constexpr int kMaxRules = 200;
inline constexpr int kMaxKeywords = 100;
inline constexpr int kMaxQueueSkills = 16;

// Fills unset fields with their documented defaults (P3, head starts 120/60/30/0, 3 misses).
v1::TenantConfig WithDefaults(v1::TenantConfig config);

// Checks a tenant config against the tenant's queues; the error names the field.
absl::Status ValidateTenantConfig(const v1::TenantConfig& config,
                                  const std::set<std::string>& queues);

// Checks a queue definition; the error names the field.
absl::Status ValidateQueue(const v1::Queue& queue);
// Fills unset queue fields with defaults (longest idle, 20 s SLA at 80 %, 20 s offers).
v1::Queue QueueWithDefaults(v1::Queue queue);

// Checks a skill list (names, proficiency 1..5, no duplicates).
absl::Status ValidateSkills(const std::string& field,
                            const google::protobuf::RepeatedPtrField<v1::Skill>& skills);

}  // namespace omniroute
