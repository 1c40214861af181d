#include "services/common/tenant_config.h"

#include <map>

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
  if (config.min_confidence() == 0) config.set_min_confidence(0.5);
  // The per-channel defaults in one place: entries of the older map form join the list.
  for (const auto& [channel, queue] : config.default_queue_by_channel()) {
    bool listed = false;
    for (const auto& cq : config.default_queues()) listed = listed || cq.channel() == channel;
    if (!listed) {
      auto* cq = config.add_default_queues();
      cq->set_channel(static_cast<v1::Channel>(channel));
      cq->set_queue(queue);
    }
  }
  config.clear_default_queue_by_channel();
  return config;
}

std::string DefaultQueueFor(const v1::TenantConfig& config, int channel) {
  for (const auto& cq : config.default_queues()) {
    if (cq.channel() == channel) return cq.queue();
  }
  auto it = config.default_queue_by_channel().find(channel);
  return it != config.default_queue_by_channel().end() ? it->second : config.default_queue();
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
    if (r.patterns_size() > kMaxPatterns) {
      return invalid(absl::StrCat(f, ".patterns: more than ", kMaxPatterns));
    }
    for (int k = 0; k < r.patterns_size(); ++k) {
      std::string g = absl::StrCat(f, ".patterns[", k, "]");
      if (r.patterns(k).empty() || r.patterns(k).size() > 256) {
        return invalid(g + ": must be 1..256 bytes");
      }
      auto re = CompileRulePattern(r.patterns(k));
      if (!re->ok()) return invalid(absl::StrCat(g, ": does not compile: ", re->error()));
    }
    for (int k = 0; k < r.intents_size(); ++k) {
      if (auto st = ValidateIntentLabel(absl::StrCat(f, ".intents[", k, "]"), r.intents(k));
          !st.ok()) {
        return st;
      }
    }
    if (r.attributes_size() > 20) return invalid(f + ".attributes: more than 20");
    for (const auto& [key, value] : r.attributes()) {
      if (auto st = ValidateName(f + ".attributes key", key); !st.ok()) return st;
      if (auto st = ValidateText(absl::StrCat(f, ".attributes[", key, "]"), value, 256); !st.ok()) {
        return st;
      }
    }
    if (r.has_customer()) {
      const auto& c = r.customer();
      std::string g = f + ".customer";
      if (c.tiers_size() > 20) return invalid(g + ".tiers: more than 20");
      for (int k = 0; k < c.tiers_size(); ++k) {
        if (auto st = ValidateName(absl::StrCat(g, ".tiers[", k, "]"), c.tiers(k)); !st.ok()) {
          return st;
        }
      }
      if (!(c.min_annual_value() >= 0 && c.min_annual_value() <= 1e12)) {
        return invalid(g + ".min_annual_value: must be 0..1e12");
      }
      if (!(c.min_churn_risk() >= 0 && c.min_churn_risk() <= 1)) {
        return invalid(g + ".min_churn_risk: must be 0..1");
      }
      if (c.renewal_within_days() < 0 || c.renewal_within_days() > 3650) {
        return invalid(g + ".renewal_within_days: must be 0..3650");
      }
    }
  }
  if (config.intents_size() > kMaxIntents) {
    return invalid(absl::StrCat("config.intents: more than ", kMaxIntents));
  }
  std::set<std::string> intents;
  for (int i = 0; i < config.intents_size(); ++i) {
    const auto& m = config.intents(i);
    std::string f = absl::StrCat("config.intents[", i, "]");
    if (auto st = ValidateIntentLabel(f + ".intent", m.intent()); !st.ok()) return st;
    if (!intents.insert(m.intent()).second) return invalid(f + ".intent: duplicate intent");
    if (!m.category().empty()) {
      if (auto st = ValidateName(f + ".category", m.category()); !st.ok()) return st;
    }
    if (!m.product_area().empty()) {
      if (auto st = ValidateName(f + ".product_area", m.product_area()); !st.ok()) return st;
    }
    if (m.priority() < 0 || m.priority() > 4) return invalid(f + ".priority: unknown value");
    if (auto st = ValidateSkills(f + ".required_skills", m.required_skills()); !st.ok()) return st;
    if (!m.queue().empty() && !queues.count(m.queue())) {
      return invalid(absl::StrCat(f, ".queue: no queue named '", m.queue(), "'"));
    }
  }
  if (!(config.min_confidence() >= 0 && config.min_confidence() <= 1)) {
    return invalid("config.min_confidence: must be 0..1");
  }
  if (const double t = config.out_of_scope_threshold(); !(t == -1 || (t >= 0 && t <= 1))) {
    return invalid("config.out_of_scope_threshold: must be 0..1, or -1 (off)");
  }
  if (!config.low_confidence_queue().empty() && !queues.count(config.low_confidence_queue())) {
    return invalid(absl::StrCat("config.low_confidence_queue: no queue named '",
                                config.low_confidence_queue(), "'"));
  }
  if (const std::string& self = config.self_service_queue(); !self.empty()) {
    if (!queues.count(self)) {
      return invalid(absl::StrCat("config.self_service_queue: no queue named '", self, "'"));
    }
    for (int i = 0; i < config.intents_size(); ++i) {
      const auto& m = config.intents(i);
      if (m.self_service() && m.queue() == self) {
        return invalid(absl::StrCat("config.intents[", i, "].queue: '", self,
                                    "' is the self_service_queue; a self-service intent's queue "
                                    "is the human queue it escalates to"));
      }
    }
    for (int i = 0; i < config.rules_size(); ++i) {
      const auto& r = config.rules(i);
      if (r.self_service() && r.queue() == self) {
        return invalid(absl::StrCat("config.rules[", i, "].queue: '", self,
                                    "' is the self_service_queue; a self-service rule's queue "
                                    "is the human queue it escalates to"));
      }
    }
  }
  std::map<int, std::string> by_channel;
  for (int i = 0; i < config.default_queues_size(); ++i) {
    const auto& cq = config.default_queues(i);
    std::string f = absl::StrCat("config.default_queues[", i, "]");
    if (cq.channel() <= v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(cq.channel())) {
      return invalid(absl::StrCat(f, ".channel: must be a channel, e.g. CHANNEL_CHAT"));
    }
    if (!queues.count(cq.queue())) {
      return invalid(absl::StrCat(f, ".queue: no queue named '", cq.queue(), "'"));
    }
    if (!by_channel.emplace(cq.channel(), cq.queue()).second) {
      return invalid(absl::StrCat(f, ".channel: ", v1::Channel_Name(cq.channel()), " twice"));
    }
  }
  for (const auto& [channel, queue] : config.default_queue_by_channel()) {
    if (channel <= 0 || !v1::Channel_IsValid(channel)) {
      return invalid(absl::StrCat("config.default_queue_by_channel: unknown channel ", channel));
    }
    if (!queues.count(queue)) {
      return invalid(absl::StrCat("config.default_queue_by_channel: no queue named '", queue, "'"));
    }
    auto it = by_channel.find(channel);
    if (it != by_channel.end() && it->second != queue) {
      return invalid(absl::StrCat(
          "config.default_queue_by_channel: ", v1::Channel_Name(static_cast<v1::Channel>(channel)),
          " is also in default_queues, with another queue"));
    }
  }
  if (!config.default_queue().empty() && !queues.count(config.default_queue())) {
    return invalid(
        absl::StrCat("config.default_queue: no queue named '", config.default_queue(), "'"));
  }
  if (config.default_priority() < 0 || config.default_priority() > 4) {
    return invalid("config.default_priority: unknown value");
  }
  if (auto st = ValidateHeadStarts("config.priority_head_start_seconds",
                                   config.priority_head_start_seconds());
      !st.ok()) {
    return st;
  }
  for (int c : config.exclusive_channels()) {
    if (c < 0 || c > 7) {
      return invalid(absl::StrCat("config.exclusive_channels: unknown channel ", c));
    }
  }
  if (config.max_missed_offers() < -1 || config.max_missed_offers() > 100) {
    return invalid("config.max_missed_offers: must be -1..100");
  }
  if (config.conversation_window_seconds() < -1 || config.conversation_window_seconds() > 86400) {
    return invalid("config.conversation_window_seconds: must be -1..86400");
  }
  if (config.value_boost_max_seconds() < -1 || config.value_boost_max_seconds() > 3600) {
    return invalid("config.value_boost_max_seconds: must be -1..3600");
  }
  if (config.capacity_profiles_size() > kMaxCapacityProfiles) {
    return invalid(absl::StrCat("config.capacity_profiles: more than ", kMaxCapacityProfiles));
  }
  std::set<std::string> profiles;
  for (int i = 0; i < config.capacity_profiles_size(); ++i) {
    const auto& p = config.capacity_profiles(i);
    std::string f = absl::StrCat("config.capacity_profiles[", i, "]");
    if (auto st = ValidateName(f + ".name", p.name()); !st.ok()) return st;
    if (!profiles.insert(p.name()).second) return invalid(f + ".name: duplicate profile name");
    if (p.capacities_size() == 0) return invalid(f + ".capacities: at least one is required");
    if (auto st = ValidateCapacities(f + ".capacities", p.capacities()); !st.ok()) return st;
  }
  return absl::OkStatus();
}

std::unique_ptr<RE2> CompileRulePattern(const std::string& pattern) {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);  // bounded: a rule must not cost a replica much memory
  return std::make_unique<RE2>(pattern, options);
}

absl::Status ValidateCapacities(
    const std::string& field,
    const google::protobuf::RepeatedPtrField<v1::ChannelCapacity>& capacities) {
  std::set<int> seen;
  for (int i = 0; i < capacities.size(); ++i) {
    const auto& c = capacities[i];
    std::string f = absl::StrCat(field, "[", i, "]");
    if (c.channel() <= 0 || c.channel() > 7) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".channel: unknown value ", c.channel()));
    }
    if (c.max() < 0 || c.max() > 50) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".max: must be 0..50"));
    }
    if (!seen.insert(c.channel()).second) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".channel: duplicate"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateHeadStarts(const std::string& field,
                                const google::protobuf::RepeatedField<int32_t>& heads) {
  auto invalid = [&](const std::string& m) { return absl::InvalidArgumentError(field + m); };
  if (heads.empty()) return absl::OkStatus();
  if (heads.size() != 4) return invalid(": must hold 4 values (P1..P4)");
  for (int i = 0; i < 4; ++i) {
    if (heads[i] < 0 || heads[i] > 86400) return invalid(": each must be 0..86400");
    if (i > 0 && heads[i] > heads[i - 1]) return invalid(": must not increase from P1 to P4");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<EffectiveStep>> EffectiveSteps(const v1::Queue& q) {
  auto invalid = [](const std::string& m) { return absl::InvalidArgumentError(m); };
  if (q.steps_size() > kMaxSteps) {
    return invalid(absl::StrCat("queue.steps: more than ", kMaxSteps));
  }
  std::map<std::string, int> skills;
  for (const auto& s : q.required_skills()) skills[s.name()] = s.proficiency();
  std::set<std::string> added;
  std::vector<EffectiveStep> out;
  int previous = 0;
  for (int i = 0; i < q.steps_size(); ++i) {
    const auto& step = q.steps(i);
    std::string f = absl::StrCat("queue.steps[", i, "]");
    if (step.after_seconds() < 1 || step.after_seconds() > 86400) {
      return invalid(f + ".after_seconds: must be 1..86400");
    }
    if (step.after_seconds() <= previous) {
      return invalid(f + ".after_seconds: must be greater than the step before");
    }
    previous = step.after_seconds();
    if (step.lower_proficiency().empty() && step.drop_skills().empty() &&
        step.add_queues().empty()) {
      return invalid(f + ": must lower a proficiency, drop a skill or add a queue");
    }
    if (auto st = ValidateSkills(f + ".lower_proficiency", step.lower_proficiency()); !st.ok()) {
      return st;
    }
    for (int k = 0; k < step.lower_proficiency_size(); ++k) {
      const auto& s = step.lower_proficiency(k);
      std::string g = absl::StrCat(f, ".lower_proficiency[", k, "]");
      auto it = skills.find(s.name());
      if (it == skills.end()) {
        return invalid(absl::StrCat(g, ".name: '", s.name(), "' is not required at this step"));
      }
      if (s.proficiency() >= it->second) {
        return invalid(absl::StrCat(g, ".proficiency: must be lower than ", it->second));
      }
      it->second = s.proficiency();
    }
    for (int k = 0; k < step.drop_skills_size(); ++k) {
      std::string g = absl::StrCat(f, ".drop_skills[", k, "]");
      if (auto st = ValidateName(g, step.drop_skills(k)); !st.ok()) return st;
      if (skills.erase(step.drop_skills(k)) == 0) {
        return invalid(
            absl::StrCat(g, ": '", step.drop_skills(k), "' is not required at this step"));
      }
    }
    for (int k = 0; k < step.add_queues_size(); ++k) {
      std::string g = absl::StrCat(f, ".add_queues[", k, "]");
      if (auto st = ValidateName(g, step.add_queues(k)); !st.ok()) return st;
      if (step.add_queues(k) == q.name()) return invalid(g + ": must not be the queue itself");
      if (!added.insert(step.add_queues(k)).second) {
        return invalid(absl::StrCat(g, ": '", step.add_queues(k), "' is already added"));
      }
    }
    out.push_back({step.after_seconds() * 1000LL, skills, added});
  }
  return out;
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
  if (auto st = EffectiveSteps(q); !st.ok()) return st.status();
  if (auto st =
          ValidateHeadStarts("queue.priority_head_start_seconds", q.priority_head_start_seconds());
      !st.ok()) {
    return st;
  }
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
