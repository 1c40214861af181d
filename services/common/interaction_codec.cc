#include "services/common/interaction_codec.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace omniroute {

std::string EncodeSkills(const std::map<std::string, int>& skills) {
  std::string out = "{";
  for (const auto& [name, level] : skills) {
    if (out.size() > 1) out += ",";
    absl::StrAppend(&out, "\"", name, "\":", level);
  }
  return out + "}";
}

absl::StatusOr<std::map<std::string, int>> DecodeSkills(const std::string& json) {
  std::map<std::string, int> out;
  absl::string_view s = json;
  if (!absl::ConsumePrefix(&s, "{") || !absl::ConsumeSuffix(&s, "}")) {
    return absl::InvalidArgumentError("skills: not a JSON object");
  }
  for (auto part : absl::StrSplit(s, ',', absl::SkipEmpty())) {
    std::vector<absl::string_view> kv = absl::StrSplit(part, ':');
    int level = 0;
    absl::string_view name = kv.size() == 2 ? kv[0] : "";
    if (!absl::ConsumePrefix(&name, "\"") || !absl::ConsumeSuffix(&name, "\"") ||
        !absl::SimpleAtoi(kv[1], &level)) {
      return absl::InvalidArgumentError("skills: malformed entry");
    }
    out[std::string(name)] = level;
  }
  return out;
}

v1::InteractionState StateFromName(const std::string& name) {
  if (name == "received") return v1::INTERACTION_STATE_RECEIVED;
  if (name == "classified") return v1::INTERACTION_STATE_CLASSIFIED;
  if (name == "queued") return v1::INTERACTION_STATE_QUEUED;
  if (name == "offered") return v1::INTERACTION_STATE_OFFERED;
  if (name == "assigned") return v1::INTERACTION_STATE_ASSIGNED;
  if (name == "completed") return v1::INTERACTION_STATE_COMPLETED;
  if (name == "canceled") return v1::INTERACTION_STATE_CANCELED;
  if (name == "rejected") return v1::INTERACTION_STATE_REJECTED;
  return v1::INTERACTION_STATE_UNSPECIFIED;
}

v1::Interaction InteractionFromHash(const std::string& tenant, const std::vector<std::string>& kv) {
  v1::Interaction ix;
  ix.set_tenant_id(tenant);
  auto i64 = [](const std::string& v) {
    int64_t n = 0;
    (void)absl::SimpleAtoi(v, &n);
    return n;
  };
  const std::string* skills = nullptr;
  const std::string* human_skills = nullptr;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) {
    const std::string& k = kv[i];
    const std::string& v = kv[i + 1];
    if (k == "id") {
      ix.set_interaction_id(v);
    } else if (k == "channel") {
      ix.set_channel(static_cast<v1::Channel>(i64(v)));
    } else if (k == "customer") {
      ix.set_customer_id(v);
    } else if (k == "subject") {
      ix.set_subject(v);
    } else if (k == "body") {
      ix.set_body(v);
    } else if (k.rfind("a:", 0) == 0) {
      (*ix.mutable_attributes())[k.substr(2)] = v;
    } else if (k == "state") {
      ix.set_state(StateFromName(v));
    } else if (k == "agent") {
      ix.set_agent_id(v);
    } else if (k == "created_ms") {
      ix.set_created_at_ms(i64(v));
    } else if (k == "queued_ms") {
      ix.set_queued_at_ms(i64(v));
    } else if (k == "offered_ms") {
      ix.set_offered_at_ms(i64(v));
    } else if (k == "assigned_ms") {
      ix.set_assigned_at_ms(i64(v));
    } else if (k == "ended_ms") {
      ix.set_ended_at_ms(i64(v));
    } else if (k == "end_reason") {
      ix.set_end_reason(v);
    } else if (k == "req_priority") {
      ix.set_requested_priority(static_cast<v1::Priority>(i64(v)));
    } else if (k == "req_queue") {
      ix.set_requested_queue(v);
    } else if (k == "conversation") {
      ix.set_conversation_id(v);
    } else if (k == "category") {
      ix.mutable_classification()->set_category(v);
    } else if (k == "priority") {
      ix.mutable_classification()->set_priority(static_cast<v1::Priority>(i64(v)));
    } else if (k == "queue") {
      ix.mutable_classification()->set_queue(v);
    } else if (k == "rule") {
      ix.mutable_classification()->set_rule(v);
    } else if (k == "intent") {
      ix.mutable_classification()->set_intent(v);
    } else if (k == "confidence") {
      double c = 0;
      (void)absl::SimpleAtod(v, &c);
      ix.mutable_classification()->set_confidence(c);
    } else if (k == "source") {
      ix.mutable_classification()->set_source(v);
    } else if (k == "product_area") {
      ix.mutable_classification()->set_product_area(v);
    } else if (k == "self_service") {
      ix.mutable_classification()->set_self_service(v == "1");
    } else if (k == "skills") {
      skills = &v;
    } else if (k == "esc_queue") {
      // Deflected: the human queue, whose required skills are the ones to report.
      ix.mutable_classification()->set_escalation_queue(v);
    } else if (k == "esc_skills") {
      human_skills = &v;
    } else if (k == "corrected_intent") {
      ix.mutable_classification()->set_corrected_intent(v);
    } else if (k == "corrected_category") {
      ix.mutable_classification()->set_corrected_category(v);
    } else if (k == "corrected_by") {
      ix.mutable_classification()->set_corrected_by(v);
    } else if (k == "esc_from") {
      ix.mutable_escalation()->set_from_queue(v);
    } else if (k == "esc_to") {
      ix.mutable_escalation()->set_to_queue(v);
    } else if (k == "esc_by") {
      ix.mutable_escalation()->set_by_agent_id(v);
    } else if (k == "esc_ms") {
      ix.mutable_escalation()->set_at_ms(i64(v));
    } else if (k == "esc_reason") {
      ix.mutable_escalation()->set_reason(v);
    } else if (k.rfind("x:", 0) == 0) {
      (*ix.mutable_escalation()->mutable_context())[k.substr(2)] = v;
    }
  }
  if (human_skills != nullptr) skills = human_skills;
  if (skills != nullptr) {
    if (auto decoded = DecodeSkills(*skills); decoded.ok()) {
      for (const auto& [name, level] : *decoded) {
        auto* s = ix.mutable_classification()->add_required_skills();
        s->set_name(name);
        s->set_proficiency(level);
      }
    }
  }
  return ix;
}

}  // namespace omniroute
