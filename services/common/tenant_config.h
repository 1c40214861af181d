#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"
#include "re2/re2.h"

namespace omniroute {

inline constexpr int kMaxRules = 200;
inline constexpr int kMaxKeywords = 100;
inline constexpr int kMaxQueueSkills = 16;
inline constexpr int kMaxSteps = 8;
inline constexpr int kMaxCapacityProfiles = 100;
inline constexpr int kMaxPatterns = 20;
inline constexpr int kMaxIntents = 500;

// Compiles a rule's RE2 pattern the way classification uses it (case-insensitive, bounded
// memory); check ok() / error().
std::unique_ptr<RE2> CompileRulePattern(const std::string& pattern);

// What a bullseye step leaves in force once it opened: the earlier steps' changes included.
struct EffectiveStep {
  int64_t after_ms = 0;
  std::map<std::string, int> skills;  // required skill -> minimum proficiency
  std::set<std::string> added_queues;
};

// Fills unset fields with their documented defaults (P3, head starts 120/60/30/0, 3 misses).
v1::TenantConfig WithDefaults(v1::TenantConfig config);

// The queue of a channel's work that no rule or mapping placed: default_queues, else the
// older default_queue_by_channel map (configs stored before), else default_queue.
std::string DefaultQueueFor(const v1::TenantConfig& config, int channel);

// Checks a tenant config against the tenant's queues; the error names the field.
absl::Status ValidateTenantConfig(const v1::TenantConfig& config,
                                  const std::set<std::string>& queues);

// Checks a queue definition; the error names the field.
absl::Status ValidateQueue(const v1::Queue& queue);
// Fills unset queue fields with defaults (longest idle, 20 s SLA at 80 %, 20 s offers).
v1::Queue QueueWithDefaults(v1::Queue queue);

// Validates a queue's bullseye steps (thresholds increasing, each change applying to a skill
// still required) and returns what each leaves in force; the error names the field.
absl::StatusOr<std::vector<EffectiveStep>> EffectiveSteps(const v1::Queue& queue);

// Checks per-channel capacities (known channel, 0..50, no channel twice).
absl::Status ValidateCapacities(
    const std::string& field,
    const google::protobuf::RepeatedPtrField<v1::ChannelCapacity>& capacities);

// Checks P1..P4 head starts (empty, or 4 values 0..86400 not increasing).
absl::Status ValidateHeadStarts(const std::string& field,
                                const google::protobuf::RepeatedField<int32_t>& heads);

// Checks a skill list (names, proficiency 1..5, no duplicates).
absl::Status ValidateSkills(const std::string& field,
                            const google::protobuf::RepeatedPtrField<v1::Skill>& skills);

}  // namespace omniroute
