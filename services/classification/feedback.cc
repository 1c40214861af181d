#include "services/classification/feedback.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/keys.h"
#include "services/common/validation.h"

namespace omniroute::classification {
namespace {

Correction FromEntry(const std::string& log_id, const std::vector<std::string>& kv) {
  Correction c;
  c.log_id = log_id;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) {
    const std::string& k = kv[i];
    const std::string& v = kv[i + 1];
    if (k == "ix") {
      c.interaction_id = v;
    } else if (k == "agent") {
      c.agent = v;
    } else if (k == "at_ms") {
      (void)absl::SimpleAtoi(v, &c.at_ms);
    } else if (k == "intent") {
      c.intent = v;
    } else if (k == "category") {
      c.category = v;
    } else if (k == "comment") {
      c.comment = v;
    } else if (k == "from_intent") {
      c.from_intent = v;
    } else if (k == "from_confidence") {
      (void)absl::SimpleAtod(v, &c.from_confidence);
    } else if (k == "from_category") {
      c.from_category = v;
    } else if (k == "from_source") {
      c.from_source = v;
    } else if (k == "channel") {
      (void)absl::SimpleAtoi(v, &c.channel);
    } else if (k == "subject") {
      c.subject = v;
    } else if (k == "body") {
      c.body = v;
    }
  }
  return c;
}

}  // namespace

std::string Correction::Text() const {
  if (subject.empty()) return body;
  if (body.empty()) return subject;
  return absl::StrCat(subject, " ", body);
}

absl::Status ValidateCorrection(const CorrectionRequest& r) {
  if (auto st = ValidateExternalId("agent_id", r.agent); !st.ok()) return st;
  if (auto st = ValidateInteractionId("interaction_id", r.interaction_id); !st.ok()) return st;
  if (auto st = ValidateName("intent", r.intent); !st.ok()) return st;
  if (auto st = ValidateName("category", r.category); !st.ok()) return st;
  return ValidateText("comment", r.comment, 256);
}

absl::StatusOr<CorrectedFrom> RecordCorrection(redis::Connection& conn,
                                               const redis::Scripts& scripts,
                                               const std::string& tenant,
                                               const CorrectionRequest& r, int64_t now_ms,
                                               int64_t event_max_len, int64_t log_max_len) {
  TenantKeys keys(tenant);
  auto reply = scripts.Eval(conn, "classification/reclassify",
                            {keys.Interaction(r.interaction_id), keys.Corrections(), keys.Events()},
                            {keys.prefix(), r.interaction_id, r.agent, std::to_string(now_ms),
                             std::to_string(event_max_len), std::to_string(log_max_len), r.intent,
                             r.category, r.comment});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out = redis::ReplyStrings(*reply);
  if (out.empty()) return absl::InternalError("empty script reply");
  if (out[0] == "not_found") {
    return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", r.interaction_id));
  }
  if (out[0] == "not_classified") {
    return absl::FailedPreconditionError(
        absl::StrCat("interaction_id: interaction ", r.interaction_id, " is not classified yet"));
  }
  if (out[0] != "ok" || out.size() < 10) {
    return absl::InternalError(absl::StrCat("unexpected script reply ", out[0]));
  }
  CorrectedFrom from;
  from.log_id = out[1];
  from.category = out[2];
  (void)absl::SimpleAtoi(out[3], &from.priority);
  from.queue = out[4];
  from.rule = out[5];
  from.intent = out[6];
  (void)absl::SimpleAtod(out[7], &from.confidence);
  from.source = out[8];
  from.product_area = out[9];
  return from;
}

absl::StatusOr<std::vector<Correction>> ReadCorrections(redis::Connection& conn,
                                                        const std::string& tenant, int64_t since_ms,
                                                        int page) {
  TenantKeys keys(tenant);
  std::vector<Correction> out;
  // The log is capped (kCorrectionsMaxLen), so reading it whole is cheap; entries are filtered
  // by their at_ms (the services' clock), not by stream ids (Redis's clock).
  std::string start = "-";
  while (true) {
    auto r =
        conn.Command({"XRANGE", keys.Corrections(), start, "+", "COUNT", std::to_string(page)});
    if (!r.ok()) return r.status();
    if (auto st = redis::ReplyError(*r, "XRANGE corrections"); !st.ok()) return st;
    for (const auto& e : r->elements) {
      if (e.elements.size() != 2) return absl::InternalError("malformed XRANGE reply");
      Correction c = FromEntry(e.elements[0].str, redis::ReplyStrings(e.elements[1]));
      start = "(" + c.log_id;  // the next page starts after the last entry read
      if (c.at_ms >= since_ms) out.push_back(std::move(c));
    }
    if (r->elements.size() < static_cast<size_t>(page)) break;
  }
  return out;
}

std::vector<Correction> LatestPerInteraction(const std::vector<Correction>& all) {
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < all.size(); ++i) last[all[i].interaction_id] = i;
  std::vector<Correction> out;
  for (size_t i = 0; i < all.size(); ++i) {
    if (last[all[i].interaction_id] == i) out.push_back(all[i]);
  }
  return out;
}

}  // namespace omniroute::classification
