#include "services/intake/submission.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/grpc/auth.h"
#include "services/common/validation.h"

namespace omniroute::intake {

absl::Status ValidateSubmission(const Submission& s) {
  if (s.channel <= 0 || s.channel > kMaxChannel) {
    return absl::InvalidArgumentError(s.channel == 0
                                          ? "channel: is required"
                                          : absl::StrCat("channel: unknown value ", s.channel));
  }
  if (!s.customer_id.empty()) {
    if (auto st = ValidateExternalId("customer_id", s.customer_id); !st.ok()) return st;
  }
  if (auto st = ValidateText("subject", s.subject, kMaxSubjectBytes); !st.ok()) return st;
  if (auto st = ValidateText("body", s.body, kMaxBodyBytes); !st.ok()) return st;
  if (auto st = ValidateAttributes(s.attributes); !st.ok()) return st;
  if (!s.idempotency_key.empty()) {
    if (auto st = ValidatePrintable("idempotency_key", s.idempotency_key, kMaxIdempotencyKeyBytes);
        !st.ok()) {
      return st;
    }
  }
  if (s.priority < 0 || s.priority > 4) {
    return absl::InvalidArgumentError(absl::StrCat("priority: unknown value ", s.priority));
  }
  if (!s.queue.empty()) {
    if (auto st = ValidateName("queue", s.queue); !st.ok()) return st;
  }
  if (!s.preferred_agent_id.empty()) {
    if (auto st = ValidateExternalId("preferred_agent_id", s.preferred_agent_id); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

std::string Fingerprint(const Submission& s) {
  // Length-prefixed fields so that no two different requests share a canonical form.
  std::string canon;
  auto add = [&](absl::string_view v) { absl::StrAppend(&canon, v.size(), ":", v, ";"); };
  add(std::to_string(s.channel));
  add(s.customer_id);
  add(s.subject);
  add(s.body);
  for (const auto& [k, v] : s.attributes) {
    add(k);
    add(v);
  }
  add(std::to_string(s.priority));
  add(s.queue);
  add(s.preferred_agent_id);
  return HashApiKey(canon).substr(0, 32);
}

std::vector<std::string> HashFields(const Submission& s) {
  std::vector<std::string> f = {"channel",      std::to_string(s.channel),
                                "customer",     s.customer_id,
                                "subject",      s.subject,
                                "body",         s.body,
                                "req_priority", std::to_string(s.priority),
                                "req_queue",    s.queue,
                                "pref",         s.preferred_agent_id};
  for (const auto& [k, v] : s.attributes) {
    f.push_back(absl::StrCat("a:", k));
    f.push_back(v);
  }
  return f;
}

}  // namespace omniroute::intake
