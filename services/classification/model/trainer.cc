#include "services/classification/model/trainer.h"

#include <map>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/classification/model/calibration.h"
#include "services/classification/model/network_training.h"
#include "services/classification/model/oos_training.h"
#include "services/classification/model/out_of_scope.h"
#include "services/classification/model/training_data.h"

namespace omniroute::classification::model {

absl::StatusOr<std::vector<FeaturizerConfig>> ViewsFromSpec(absl::string_view spec,
                                                            const FeaturizerConfig& base) {
  std::vector<FeaturizerConfig> views;
  for (absl::string_view name : absl::StrSplit(spec, '+')) {
    FeaturizerConfig v = base;
    if (name == "word") {
      v.char_across_words = false;
    } else if (name == "words") {
      v.char_ngram_min = v.char_ngram_max = 0;
      v.word_ngram_max = 3;
      v.pair_window = 4;
    } else if (name != "text") {
      return absl::InvalidArgumentError(absl::StrCat(
          "views '", spec, "': '", name, "' is not text, word or words (join views with +)"));
    }
    views.push_back(v);
  }
  return views;
}

absl::Status ValidateTrainOptions(const TrainOptions& o) {
  if (absl::Status s = ValidateFeaturizerConfig(o.featurizer); !s.ok()) return s;
  if (o.epochs < 1 || o.epochs > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("epochs ", o.epochs, " not in 1..1000"));
  }
  if (!(o.learning_rate > 0 && o.learning_rate <= 100)) {
    return absl::InvalidArgumentError("learning rate must be in (0, 100]");
  }
  if (!(o.l2 >= 0 && o.l2 < 1)) return absl::InvalidArgumentError("l2 must be in [0, 1)");
  if (!(o.dropout >= 0 && o.dropout < 1)) {
    return absl::InvalidArgumentError("dropout must be in [0, 1)");
  }
  if (o.members < 1 || o.members > 8) {
    return absl::InvalidArgumentError(absl::StrCat("members ", o.members, " not in 1..8"));
  }
  if (o.min_df < 1) return absl::InvalidArgumentError("min_df must be at least 1");
  if (o.average_epochs < 0 || o.average_epochs > o.epochs) {
    return absl::InvalidArgumentError("average_epochs must be in 0..epochs");
  }
  if (!(o.hidden_dropout >= 0 && o.hidden_dropout < 1)) {
    return absl::InvalidArgumentError("hidden_dropout must be in [0, 1)");
  }
  if (!(o.calibration_fraction >= 0 && o.calibration_fraction <= 0.5)) {
    return absl::InvalidArgumentError("calibration_fraction must be in [0, 0.5]");
  }
  if (!(o.label_smoothing >= 0 && o.label_smoothing < 1)) {
    return absl::InvalidArgumentError("label_smoothing must be in [0, 1)");
  }
  absl::StatusOr<std::vector<FeaturizerConfig>> views = ViewsFromSpec(o.views, o.featurizer);
  if (!views.ok()) return views.status();
  if (views->size() * o.members > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat(views->size(), " views x ", o.members, " members: at most 16 networks"));
  }
  for (const FeaturizerConfig& v : *views) {
    if (absl::Status s = ValidateFeaturizerConfig(v); !s.ok()) return s;
  }
  if (o.oos_folds < 0 || o.oos_folds > 8) {
    return absl::InvalidArgumentError(absl::StrCat("oos_folds ", o.oos_folds, " not in 0..8"));
  }
  if (!(o.oos_holdout_intents > 0 && o.oos_holdout_intents <= 0.5)) {
    return absl::InvalidArgumentError("oos_holdout_intents must be in (0, 0.5]");
  }
  if (!(o.oos_reject_rate >= 0 && o.oos_reject_rate < 1)) {
    return absl::InvalidArgumentError("oos_reject_rate must be in [0, 1)");
  }
  if (!(o.oos_threshold < 0 || o.oos_threshold <= 1)) {
    return absl::InvalidArgumentError("oos_threshold must be in [0, 1] (or negative: calibrated)");
  }
  if (o.hidden < 0 || o.hidden > 4096) {
    return absl::InvalidArgumentError(absl::StrCat("hidden ", o.hidden, " not in 0..4096"));
  }
  return absl::OkStatus();
}

ModelParts TrainParts(const std::vector<Example>& examples, const TrainOptions& options,
                      TrainStats* stats) {
  std::map<std::string, int> label_index;
  for (const Example& e : examples) label_index.emplace(e.label, 0);
  std::vector<std::string> labels;
  for (auto& [label, index] : label_index) {
    index = static_cast<int>(labels.size());
    labels.push_back(label);
  }
  const size_t k = labels.size();
  // Valid: checked by ValidateTrainOptions.
  const std::vector<FeaturizerConfig> configs = *ViewsFromSpec(options.views, options.featurizer);
  ModelParts parts;
  double loss = 0;
  size_t rows = 0;
  int trained = 0;
  for (const FeaturizerConfig& config : configs) {
    const Featurizer featurizer(config);
    Dataset d = BuildDataset(examples, featurizer, label_index, options.min_df);
    ModelView view;
    // Members differ by their seed (initial weights, order, dropout) and by their view, which
    // is what makes their average better than any one of them.
    for (int i = 0; i < options.members; ++i, ++trained) {
      ModelMember member;
      double member_loss = 0;
      const uint64_t seed = options.seed + static_cast<uint64_t>(trained) * 0x9E3779B97F4A7C15ULL;
      if (options.hidden > 0) {
        TrainHiddenLayer(d, options, seed, k, &member, &member_loss);
      } else {
        TrainLinear(d, options, seed, k, &member, &member_loss);
      }
      loss += member_loss;
      view.members.push_back(std::move(member));
    }
    rows += d.buckets.size();
    view.featurizer = config;
    view.buckets = std::move(d.buckets);
    view.idf = std::move(d.idf);
    view.idf_unseen = d.idf_unseen;
    parts.views.push_back(std::move(view));
  }
  if (stats != nullptr) {
    stats->examples = examples.size();
    stats->labels = k;
    stats->rows = rows;
    stats->final_epoch_loss = loss / trained;
  }
  parts.labels = std::move(labels);
  return parts;
}

absl::StatusOr<IntentModel> TrainIntentModel(const std::vector<Example>& examples,
                                             const TrainOptions& options, std::string metadata,
                                             TrainStats* stats) {
  if (absl::Status s = ValidateTrainOptions(options); !s.ok()) return s;
  if (examples.empty()) return absl::InvalidArgumentError("no training examples");
  float temperature = 1;
  std::vector<float> held_in_signals;  // out-of-scope signals of the set-aside slice
  if (options.calibration_fraction > 0) {
    // Fit the temperature on a slice the networks did not see, then train again on everything:
    // twice the training time for a confidence that means what it says.
    const Split split = StratifiedSplit(examples, options.calibration_fraction, options.seed);
    if (!split.holdout.empty()) {
      std::vector<Example> fit, held;
      for (size_t i : split.train) fit.push_back(examples[i]);
      for (size_t i : split.holdout) held.push_back(examples[i]);
      ModelParts fitted = TrainParts(fit, options, nullptr);
      // The same networks with the fitted temperature give the out-of-scope detector the
      // signals of in-scope messages a model of all labels did not see.
      std::optional<ModelParts> tempered;
      if (options.oos_folds > 0) tempered = fitted;
      absl::StatusOr<IntentModel> m = IntentModel::Create(std::move(fitted));
      if (!m.ok()) return m.status();
      temperature = FitTemperature(*m, held);
      if (tempered.has_value()) {
        tempered->temperature = temperature;
        m = IntentModel::Create(*std::move(tempered));
        if (m.ok()) m = WithCentroids(*m, fit);
        if (!m.ok()) return m.status();
        AddOutOfScopeSignals(*m, held, &held_in_signals);
      }
    }
  }
  absl::StatusOr<OutOfScopeDetector> oos =
      TrainOutOfScopeDetector(examples, options, temperature, held_in_signals,
                              stats != nullptr ? &stats->out_of_scope : nullptr);
  if (!oos.ok()) return oos.status();
  ModelParts parts = TrainParts(examples, options, stats);
  parts.temperature = temperature;
  parts.out_of_scope = *std::move(oos);
  parts.metadata = std::move(metadata);
  absl::StatusOr<IntentModel> model = IntentModel::Create(std::move(parts));
  if (!model.ok() || !model->has_oos_detector()) return model;
  return WithCentroids(*model, examples);
}

}  // namespace omniroute::classification::model
