#pragma once

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"

// Out-of-scope ("none of these intents") detection: the signals of one prediction, the logistic
// calibrator over them and the rule that picks its default threshold. Trained by
// TrainOutOfScopeDetector (oos_training.h) on pseudo-out-of-scope messages: training intents
// held out of a nested model.
namespace omniroute::classification::model {

// The signals, in IntentModel::OutOfScopeSignals's order (each computed from the prediction the
// model just made, no second pass over the text):
//   0 top probability (the ensemble's, tempered)      1 margin: top - second probability
//   2 entropy of the probabilities / ln(labels)       3 members' mean probability of the winner
//   4 share of members whose own top label is the winner
//   5 members' mean largest raw score (before softmax)
//   6 share of the feature vectors' (squared, IDF-weighted) mass in n-grams seen in training,
//     mean over the views                              7 ln(1 + the first view's n-gram count)
//   8 members' mean cosine between their (ReLU) hidden activations and the winner's centroid
//     (see OutOfScopeDetector::centroids; 0 without)    9 members' mean hidden activation norm
//  10 members' mean largest cosine between the hidden activations and the winner's prototypes
//     (see hidden_space.h; 0 without)
inline constexpr size_t kOutOfScopeSignals = 11;
// The signals the calibrator weighs (the others get weight 0): entropy, known_mass, log_ngrams
// and prototype_cosine (chosen on held-out-intent evaluations, see tools/model/README.md).
inline constexpr bool kCalibratorSignals[kOutOfScopeSignals] = {
    false, false, true, false, false, false, true, true, false, false, true};
extern const char* const kOutOfScopeSignalNames[kOutOfScopeSignals];

// Logistic regression of `is_oos` on `signals` (rows of kOutOfScopeSignals values), the two
// classes weighted equally, a small ridge penalty on standardised signals, fitted by Newton's
// method; the weights are returned on the raw signals (threshold left unset).
// `use` (optional, kOutOfScopeSignals flags): only those signals get a weight.
OutOfScopeDetector FitOutOfScopeDetector(const std::vector<float>& signals,
                                         const std::vector<bool>& is_oos,
                                         const bool* use = nullptr);

// `model` with the centroids of its hidden activations over `examples` (its training messages)
// in its detector (see OutOfScopeDetector::centroids).
absl::StatusOr<IntentModel> WithCentroids(const IntentModel& model,
                                          const std::vector<Example>& examples);

// sigmoid(bias + weights . signals).
float OutOfScopeScoreOf(const OutOfScopeDetector& d, const float* signals);

// The default operating point: the smallest threshold at which at most `reject_rate` of the
// in-scope `scores` (messages of known intents the model did not train on) would be out of
// scope, halfway between the last rejected and the first accepted score.
float ThresholdForRejectRate(std::vector<float> in_scope_scores, double reject_rate);

// Area under the ROC curve of `scores` separating positives (true) from negatives (ties count
// half); 0.5 when either class is empty.
double RocAuc(const std::vector<float>& scores, const std::vector<bool>& positive);

}  // namespace omniroute::classification::model
