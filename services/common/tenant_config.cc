#include "services/common/tenant_config.h"

#include "absl/strings/str_cat.h"
#include "services/common/business_hours.h"
#include "services/common/validation.h"

namespace omniroute {

v1::TenantConfig WithDefaults(v1::TenantConfig config) {
  if (config.default_priority() == v1::PRIORITY_UNSPECIFIED) {
    config.set_default_priority(v1::PRIORITY_P3);
  }
  if (config.priority_head_start_seconds_size() == 0) {
    for (int s : {120, 60, 30, 0}) config.add_priority_head_start_seconds(s);
  }
  return config;
}

absl::Status ValidateSkills(const std::string& field,
                            const google::protobuf::RepeatedPtrField<v1::Skill>& skills) {
  std::set<std::string> seen;
  for (int i = 0; i < skills.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    if (auto st = ValidateName(f + ".name", skills[i].name()); !st.ok()) return st;
    if (skills[i].proficiency() < 1 || skills[i].proficiency() > 5) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".proficiency: must be 1..5"));
    }
    if (!seen.insert(skills[i].name()).second) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".name: duplicate skill"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTenantConfig(const v1::TenantConfig& config,
                                  const std::set<std::string>& queues) {
  auto invalid = [](const std::string& m) { return absl::InvalidArgumentError(m); };
  if (config.rules_size() > kMaxRules) {
    return invalid(absl::StrCat("config.rules: more than ", kMaxRules, " rules"));
  }
  std::set<std::string> names;
  for (int i = 0; i < config.rules_size(); ++i) {
    const auto& r = config.rules(i);
    std::string f = absl::StrCat("config.rules[", i, "]");
    if (auto st = ValidateName(f + ".name", r.name()); !st.ok()) return st;
    if (!names.insert(r.name()).second) return invalid(f + ".name: duplicate rule name");
    for (int c : r.channels()) {
      if (c <= 0 || c > 7) return invalid(absl::StrCat(f, ".channels: unknown channel ", c));
    }
    if (r.keywords_size() > kMaxKeywords) {
      return invalid(absl::StrCat(f, ".keywords: more than ", kMaxKeywords));
    }
    for (int k = 0; k < r.keywords_size(); ++k) {
      if (auto st = ValidateText(absl::StrCat(f, ".keywords[", k, "]"), r.keywords(k), 128);
          !st.ok()) {
        return st;
      }
      if (r.keywords(k).empty()) return invalid(absl::StrCat(f, ".keywords[", k, "]: is empty"));
    }
    if (auto st = ValidateName(f + ".category", r.category()); !st.ok()) return st;
    if (r.priority() < 0 || r.priority() > 4) return invalid(f + ".priority: unknown value");
    if (auto st = ValidateSkills(f + ".required_skills", r.required_skills()); !st.ok()) return st;
    if (!r.queue().empty() && !queues.count(r.queue())) {
      return invalid(absl::StrCat(f, ".queue: no queue named '", r.queue(), "'"));
    }
  }
  for (const auto& [channel, queue] : config.default_queue_by_channel()) {
    if (channel <= 0 || channel > 7) {
      return invalid(absl::StrCat("config.default_queue_by_channel: unknown channel ", channel));
    }
    if (!queues.count(queue)) {
      return invalid(absl::StrCat("config.default_queue_by_channel: no queue named '", queue, "'"));
    }
  }
  if (!config.default_queue().empty() && !queues.count(config.default_queue())) {
    return invalid(
        absl::StrCat("config.default_queue: no queue named '", config.default_queue(), "'"));
  }
  if (config.default_priority() < 0 || config.default_priority() > 4) {
    return invalid("config.default_priority: unknown value");
  }
  const auto& heads = config.priority_head_start_seconds();
  if (!heads.empty()) {
    if (heads.size() != 4) {
      return invalid("config.priority_head_start_seconds: must hold 4 values (P1..P4)");
    }
    for (int i = 0; i < 4; ++i) {
      if (heads[i] < 0 || heads[i] > 86400) {
        return invalid("config.priority_head_start_seconds: each must be 0..86400");
      }
      if (i > 0 && heads[i] > heads[i - 1]) {
        return invalid("config.priority_head_start_seconds: must not increase from P1 to P4");
      }
    }
  }
  for (int c : config.exclusive_channels()) {
    if (c < 0 || c > 7) {
      return invalid(absl::StrCat("config.exclusive_channels: unknown channel ", c));
    }
  }
  if (config.max_missed_offers() < -1 || config.max_missed_offers() > 100) {
    return invalid("config.max_missed_offers: must be -1..100");
  }
  return absl::OkStatus();
}

absl::Status ValidateQueue(const v1::Queue& q) {
  auto invalid = [](const std::string& m) { return absl::InvalidArgumentError(m); };
  if (auto st = ValidateName("queue.name", q.name()); !st.ok()) return st;
  if (q.channels_size() == 0) return invalid("queue.channels: at least one channel is required");
  std::set<int> seen;
  for (int c : q.channels()) {
    if (c <= 0 || c > 7) return invalid(absl::StrCat("queue.channels: unknown channel ", c));
    if (!seen.insert(c).second) return invalid("queue.channels: duplicate channel");
  }
  if (q.required_skills_size() > kMaxQueueSkills) {
    return invalid(absl::StrCat("queue.required_skills: more than ", kMaxQueueSkills));
  }
  if (auto st = ValidateSkills("queue.required_skills", q.required_skills()); !st.ok()) return st;
  if (q.strategy() < 0 || q.strategy() > 4) return invalid("queue.strategy: unknown value");
  if (q.sla_threshold_seconds() < 0 || q.sla_threshold_seconds() > 3600) {
    return invalid("queue.sla_threshold_seconds: must be 1..3600");
  }
  if (q.sla_target_percent() < 0 || q.sla_target_percent() > 100) {
    return invalid("queue.sla_target_percent: must be 1..100");
  }
  if (q.offer_timeout_seconds() < 0 || q.offer_timeout_seconds() > 300) {
    return invalid("queue.offer_timeout_seconds: must be 1..300");
  }
  if (q.wrap_up_seconds() < 0 || q.wrap_up_seconds() > 3600) {
    return invalid("queue.wrap_up_seconds: must be 0..3600");
  }
  if (q.preferred_agent_seconds() < -1 || q.preferred_agent_seconds() > 600) {
    return invalid("queue.preferred_agent_seconds: must be -1..600");
  }
  if (auto st = ValidateBusinessHours(q.business_hours()); !st.ok()) return st;
  if (q.max_waiting() < 0 || q.max_waiting() > 10000000) {
    return invalid("queue.max_waiting: must be 0..10000000");
  }
  if (q.max_wait_seconds() < 0 || q.max_wait_seconds() > 86400) {
    return invalid("queue.max_wait_seconds: must be 0..86400");
  }
  if (!q.overflow_queue().empty()) {
    if (auto st = ValidateName("queue.overflow_queue", q.overflow_queue()); !st.ok()) return st;
    if (q.overflow_queue() == q.name()) {
      return invalid("queue.overflow_queue: must not be the queue itself");
    }
  }
  return absl::OkStatus();
}

v1::Queue QueueWithDefaults(v1::Queue q) {
  if (q.strategy() == v1::STRATEGY_UNSPECIFIED) q.set_strategy(v1::STRATEGY_LONGEST_IDLE);
  if (q.sla_threshold_seconds() == 0) q.set_sla_threshold_seconds(20);
  if (q.sla_target_percent() == 0) q.set_sla_target_percent(80);
  if (q.offer_timeout_seconds() == 0) q.set_offer_timeout_seconds(20);
  return q;
}

}  // namespace omniroute
