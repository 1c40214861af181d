#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "services/intake/intake_metrics.h"
#include "services/intake/intake_store.h"
#include "services/intake/submission.h"

namespace omniroute::intake {

// The outcome label of omniroute_intake_submissions_total for a failed submission.
std::string FailureOutcome(const absl::Status& status);

// SubmitInteraction after authentication, for `tenant`: validates the submission, stores it
// (IntakeStore::Submit, with the caller's deadline) and counts it in
// omniroute_intake_submissions_total. The one path of Intake.SubmitInteraction and of the
// provider webhooks, so both validate, store and count alike.
absl::StatusOr<SubmitOutcome> SubmitOne(IntakeStore& store, IntakeMetrics& metrics,
                                        const std::string& tenant, const Submission& submission,
                                        int64_t deadline_unix_ms);

}  // namespace omniroute::intake
