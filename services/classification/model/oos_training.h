#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/trainer.h"

// Fitting the out-of-scope detector (see out_of_scope.h) without any out-of-scope data: nested
// leave-intents-out inside the training examples.
namespace omniroute::classification::model {

// Appends the out-of-scope signals of each of `examples` under `model` to `signals`.
void AddOutOfScopeSignals(const IntentModel& model, const std::vector<Example>& examples,
                          std::vector<float>* signals);

// For each of options.oos_folds folds, a seeded, disjoint options.oos_holdout_intents share of
// the labels is held out, a model (same options, no calibration, `temperature`) is trained on a
// stratified 90 % of the other labels' examples; its scores of their remaining 10 % are in
// scope, of every held-out label's example out of scope. The calibrator is fitted on those and
// on `held_in_signals` (in scope: the messages the temperature was fitted on, by a model of all
// labels). The threshold: options.oos_threshold when >= 0, else the one rejecting
// options.oos_reject_rate of `held_in_signals`' messages (of the nested in-scope ones when that
// is empty). With 0 folds, or fewer than 3 labels, no detector (the threshold still applies
// when set). `summary` (optional) gets one line on what was done.
absl::StatusOr<OutOfScopeDetector> TrainOutOfScopeDetector(
    const std::vector<Example>& examples, const TrainOptions& options, float temperature,
    const std::vector<float>& held_in_signals, std::string* summary);

}  // namespace omniroute::classification::model
