#include "services/classification/model/oos_training.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/classification/model/out_of_scope.h"

namespace omniroute::classification::model {

void AddOutOfScopeSignals(const IntentModel& model, const std::vector<Example>& examples,
                          std::vector<float>* signals) {
  PredictScratch s;
  float row[kOutOfScopeSignals];
  for (const Example& e : examples) {
    model.Probabilities(e.text, &s);
    model.OutOfScopeSignals(s, row);
    signals->insert(signals->end(), row, row + kOutOfScopeSignals);
  }
}

namespace {

std::vector<float> Scores(const OutOfScopeDetector& d, const std::vector<float>& signals) {
  std::vector<float> scores;
  for (size_t i = 0; i < signals.size(); i += kOutOfScopeSignals) {
    scores.push_back(OutOfScopeScoreOf(d, &signals[i]));
  }
  return scores;
}

}  // namespace

absl::StatusOr<OutOfScopeDetector> TrainOutOfScopeDetector(
    const std::vector<Example>& examples, const TrainOptions& options, float temperature,
    const std::vector<float>& held_in_signals, std::string* summary) {
  OutOfScopeDetector none;
  if (options.oos_threshold >= 0) none.threshold = static_cast<float>(options.oos_threshold);
  std::set<std::string> label_set;
  for (const Example& e : examples) label_set.insert(e.label);
  const std::vector<std::string> labels(label_set.begin(), label_set.end());
  const size_t per_fold = std::max<size_t>(
      1, static_cast<size_t>(std::lround(labels.size() * options.oos_holdout_intents)));
  // Every nested model keeps at least two labels.
  const size_t folds = labels.size() < 3 ? 0
                                         : std::min(static_cast<size_t>(options.oos_folds),
                                                    (labels.size() - 2) / per_fold);
  if (folds == 0) {
    if (summary != nullptr) {
      *summary = absl::StrFormat(
          "none (%d folds, %zu labels): never out of scope%s", options.oos_folds, labels.size(),
          none.threshold <= 1 ? " unless 1 - top probability >= threshold" : "");
    }
    return none;
  }
  std::vector<size_t> order(labels.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(options.seed ^ 0x6F6F7364657465ULL);
  SeededShuffle(&order, &rng);
  TrainOptions inner = options;
  inner.calibration_fraction = 0;
  inner.oos_folds = 0;
  std::vector<float> signals, nested_in_scope;
  std::vector<bool> is_oos;
  size_t pseudo_oos = 0;
  for (size_t f = 0; f < folds; ++f) {
    std::set<std::string> held;
    for (size_t i = f * per_fold; i < (f + 1) * per_fold; ++i) held.insert(labels[order[i]]);
    std::vector<Example> in_scope, out_of_scope;
    for (const Example& e : examples) (held.count(e.label) ? out_of_scope : in_scope).push_back(e);
    const Split split = StratifiedSplit(in_scope, 0.1, options.seed + f + 1);
    std::vector<Example> fit, validation;
    for (size_t i : split.train) fit.push_back(in_scope[i]);
    for (size_t i : split.holdout) validation.push_back(in_scope[i]);
    inner.seed = options.seed + 1000 * (f + 1);
    ModelParts parts = TrainParts(fit, inner, nullptr);
    parts.temperature = temperature;
    absl::StatusOr<IntentModel> m = IntentModel::Create(std::move(parts));
    if (m.ok()) m = WithCentroids(*m, fit);
    if (!m.ok()) return m.status();
    const size_t before = signals.size();
    AddOutOfScopeSignals(*m, validation, &signals);
    nested_in_scope.insert(nested_in_scope.end(), signals.begin() + before, signals.end());
    is_oos.resize(signals.size() / kOutOfScopeSignals, false);
    AddOutOfScopeSignals(*m, out_of_scope, &signals);
    is_oos.resize(signals.size() / kOutOfScopeSignals, true);
    pseudo_oos += out_of_scope.size();
  }
  signals.insert(signals.end(), held_in_signals.begin(), held_in_signals.end());
  is_oos.resize(signals.size() / kOutOfScopeSignals, false);
  OutOfScopeDetector d = FitOutOfScopeDetector(signals, is_oos, kCalibratorSignals);
  if (d.weights.empty()) {
    if (summary != nullptr) {
      *summary = "none (too few examples to set in-scope ones aside): never out of scope";
    }
    return none;
  }
  const std::vector<float> scores = Scores(d, signals);
  const std::vector<float>& in_scope = held_in_signals.empty() ? nested_in_scope : held_in_signals;
  d.threshold = options.oos_threshold >= 0
                    ? static_cast<float>(options.oos_threshold)
                    : ThresholdForRejectRate(Scores(d, in_scope), options.oos_reject_rate);
  if (summary != nullptr) {
    const std::vector<float> in_scores = Scores(d, in_scope);
    std::vector<std::string> used;
    for (size_t j = 0; j < kOutOfScopeSignals; ++j) {
      if (d.weights[j] != 0) used.push_back(kOutOfScopeSignalNames[j]);
    }
    const size_t rejected = static_cast<size_t>(std::count_if(
        in_scores.begin(), in_scores.end(), [&](float s) { return s >= d.threshold; }));
    *summary = absl::StrFormat(
        "logistic over %s (%zu signals computed); %zu folds of %zu held-out labels: %zu "
        "pseudo-out-of-scope and "
        "%zu in-scope messages (nested AUROC %.4f); threshold %.4f (%s: rejects %zu of %zu "
        "held-in in-scope messages)",
        absl::StrJoin(used, ", "), kOutOfScopeSignals, folds, per_fold, pseudo_oos,
        is_oos.size() - pseudo_oos, RocAuc(scores, is_oos), d.threshold,
        options.oos_threshold >= 0
            ? "set"
            : absl::StrFormat("calibrated to %.1f %%", 100 * options.oos_reject_rate),
        rejected, in_scores.size());
  }
  return d;
}

}  // namespace omniroute::classification::model
