#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/data_split.h"
#include "services/classification/model/featurizer.h"
#include "services/classification/model/intent_model.h"

// StratifiedSplit, StratifiedFolds and SeededShuffle come with this header (data_split.h).
namespace omniroute::classification::model {

// How to train. The defaults are the configuration chosen for Banking77 by 3- and 5-fold
// cross-validation inside the training portion (see tools/model/README.md): three feature views
// (IDF-weighted word 1-2-grams with character 1-5-grams across the text; the same with character
// n-grams inside words; words only), each feeding its own network of 128 ReLU units, 20 epochs
// of SGD with 80 % input dropout, and a temperature fitted on a tenth of the data.
//
// SGD: one shuffled pass over the examples per epoch, learning rate decaying linearly from
// learning_rate to 0 over all steps, L2 regularisation applied as weight decay at every step.
struct TrainOptions {
  FeaturizerConfig featurizer;
  // Feature views, named relative to `featurizer` and joined by '+' (see ViewsFromSpec): each
  // trains its own `members` networks on its own featurizer, and the model averages all of them
  // (networks that see the text differently err differently).
  std::string views = "text+word+words";
  int epochs = 20;
  double learning_rate = 0.1;  // 0.5..1 suits the linear model (hidden = 0)
  double l2 = 1e-6;
  uint64_t seed = 42;
  // Units of a hidden ReLU layer (0: the linear model, multinomial logistic regression). Its
  // weights start small and random (seeded); l2 applies to the input layer only.
  int hidden = 128;
  // With a hidden layer: each training step drops each input feature with this probability
  // (and scales the kept ones up to match), so the network cannot lean on a few n-grams.
  double dropout = 0.8;
  // With a hidden layer: the model's weights are the mean of the weights at the end of each of
  // the last average_epochs epochs (0: the final weights).
  int average_epochs = 0;
  // With a hidden layer: each training step drops each hidden unit with this probability.
  double hidden_dropout = 0;
  // Ensemble size per view: members trained alike but with different seeds; the model averages
  // their probabilities (costs members x the time and memory for a few tenths of a point).
  int members = 1;
  // The training target puts 1 - label_smoothing on the true label and spreads label_smoothing
  // evenly over all labels, which keeps the network from driving its scores to extremes.
  double label_smoothing = 0;
  // Calibration: this fraction of the examples (stratified, seeded) is set aside, the networks
  // are trained on the rest, and the temperature (see ModelParts::temperature) that minimises the
  // log loss on the set-aside part is kept; then the networks are trained again on all examples.
  // Twice the training time; the ranking of labels, and so the accuracy, does not change. 0: no
  // calibration (temperature 1).
  double calibration_fraction = 0.1;
  // Buckets seen in fewer training examples get no weights: halves the model at no cost in
  // accuracy on Banking77 (1 keeps all).
  int min_df = 2;
  // Out-of-scope detector (see out_of_scope.h, oos_training.h): oos_folds nested models, each
  // trained without a seeded oos_holdout_intents share of the labels (disjoint between folds),
  // give pseudo-out-of-scope messages to fit the calibrator; 0 folds: no detector (never out
  // of scope). The default threshold rejects oos_reject_rate of held-in in-scope messages;
  // oos_threshold >= 0 sets it instead.
  int oos_folds = 2;
  double oos_holdout_intents = 0.25;
  double oos_reject_rate = 0.03;
  double oos_threshold = -1;
};

absl::Status ValidateTrainOptions(const TrainOptions& options);

// The featurizers of a views spec: names joined by '+', each relative to `base`:
//   text   `base` as it is
//   word   `base` with character n-grams inside each padded word (char_across_words false)
//   words  words only: word 1-3-grams and unordered word pairs within 4 words, no characters
absl::StatusOr<std::vector<FeaturizerConfig>> ViewsFromSpec(absl::string_view spec,
                                                            const FeaturizerConfig& base);

struct TrainStats {
  size_t examples = 0;
  size_t labels = 0;
  size_t rows = 0;              // distinct hashed buckets seen (= weight rows of the model)
  double final_epoch_loss = 0;  // mean cross-entropy over the last epoch (members' mean)
  std::string out_of_scope;     // how the out-of-scope detector was fitted (one line)
};

// The networks of every view trained on `examples` (labels: the sorted distinct labels), no
// calibration; options must be valid.
ModelParts TrainParts(const std::vector<Example>& examples, const TrainOptions& options,
                      TrainStats* stats);

// Trains on `examples` (labels are the sorted distinct labels). Deterministic: the same examples
// in the same order with the same options give a byte-identical model on a given build and
// platform (all randomness comes from std::mt19937_64 seeded with options.seed, used through
// its raw output; single-threaded).
absl::StatusOr<IntentModel> TrainIntentModel(const std::vector<Example>& examples,
                                             const TrainOptions& options, std::string metadata = "",
                                             TrainStats* stats = nullptr);

}  // namespace omniroute::classification::model
