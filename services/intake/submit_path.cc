#include "services/intake/submit_path.h"

#include "services/common/log/log.h"

namespace omniroute::intake {

std::string FailureOutcome(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return "invalid";
    case absl::StatusCode::kAlreadyExists:
      return "conflict";
    default:
      return "error";
  }
}

absl::StatusOr<SubmitOutcome> SubmitOne(IntakeStore& store, IntakeMetrics& metrics,
                                        const std::string& tenant, const Submission& s,
                                        int64_t deadline_unix_ms) {
  if (auto st = ValidateSubmission(s); !st.ok()) {
    metrics.Submitted(tenant, ChannelLabel(s.channel), "invalid");
    return st;
  }
  auto results = store.Submit(tenant, {&s}, deadline_unix_ms);
  auto& r = results.front();
  if (!r.ok()) {
    metrics.Submitted(tenant, ChannelLabel(s.channel), FailureOutcome(r.status()));
    if (r.status().code() != absl::StatusCode::kInvalidArgument &&
        r.status().code() != absl::StatusCode::kAlreadyExists) {
      log::WarnEvery("submit", 5, "submit failed", {{"error", r.status().ToString()}});
    }
    return r.status();
  }
  metrics.Submitted(tenant, ChannelLabel(s.channel), r->created ? "created" : "duplicate");
  return std::move(*r);
}

}  // namespace omniroute::intake
