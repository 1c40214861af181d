#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/classification/model/featurizer.h"

namespace omniroute::classification::model {

struct LabelProbability {
  std::string label;
  float probability = 0;
};

// An n-gram of the message and how much it added to the winning label's score (its feature
// value times its weight). Named like "w:lost card" (words) or "c:_car" (characters, '_' = word
// edge).
struct FeatureContribution {
  std::string feature;
  float contribution = 0;
};

struct Prediction {
  std::vector<LabelProbability> labels;       // most probable first (softmax over all labels)
  std::vector<FeatureContribution> features;  // largest contribution to labels[0] first
};

struct PredictOptions {
  int top_labels = 3;
  int top_features = 5;
};

// Per-thread buffers for the allocation-free prediction path.
struct PredictScratch {
  FeaturizerScratch featurizer;
  std::vector<SparseFeature> features;
  std::vector<float> hidden;    // activations of a member's hidden layer
  std::vector<uint8_t> active;  // per member and hidden unit: was it > 0 (for explanations)
  std::vector<float> member_scores;
  std::vector<float> unit_weight;  // per hidden unit: its weight for the explained label
  std::vector<float> scores;
};

// One classifier over the shared feature rows. Linear (hidden == 0, multinomial logistic
// regression): score(label) = bias[label] + sum over the message's features of value *
// weights[row][label]. With a hidden layer: h = ReLU(hidden_bias + sum of value * weights[row]),
// score = bias + h . output_weights.
struct ModelMember {
  int hidden = 0;  // units of the hidden ReLU layer (0: linear)
  // rows x labels (linear) or rows x hidden (the input layer), row-major.
  std::vector<float> weights;
  std::vector<float> bias;            // one per label
  std::vector<float> hidden_bias;     // `hidden` values
  std::vector<float> output_weights;  // hidden x labels (row h: all labels of unit h)
};

// Everything a model is made of. Create checks: labels non-empty and unique; buckets strictly
// increasing and below 2^hash_bits; at least one member, each with weights, bias and hidden layer
// sized as described above; idf.size() == buckets.size() with featurizer.idf, else empty; every
// number finite (IDF values positive).
struct ModelParts {
  FeaturizerConfig featurizer;
  std::vector<std::string> labels;
  std::vector<uint32_t> buckets;  // sorted bucket ids that have a weight row
  std::vector<ModelMember> members;
  std::vector<float> idf;  // one per row (featurizer.idf only)
  float idf_unseen = 0;    // IDF of a bucket without a row (featurizer.idf only)
  std::string metadata;    // free text, e.g. how the model was trained
};

// A classifier over hashed n-grams (see Featurizer): an ensemble of members (see ModelMember)
// whose softmax probabilities are averaged; a single member is plain softmax(scores). Only
// buckets seen in training have weights (the others would be zero), so the model holds rows x
// width floats per member rather than 2^hash_bits x width.
//
// Immutable after construction, so one instance may serve many threads (each with its own
// PredictScratch) and be swapped atomically as a whole (e.g. behind a shared_ptr).
class IntentModel {
 public:
  // Serialised form version written by ToBytes (see intent_model.cc for the layout).
  static constexpr uint32_t kFormatVersion = 1;

  // Assembles and validates a model (see ModelParts for the rules).
  static absl::StatusOr<IntentModel> Create(ModelParts parts);

  // Parses the bytes written by ToBytes (from a file or a Redis value). Checks the magic, the
  // version, the declared size against the actual one, the CRC-32 and every count and value;
  // a bad input yields InvalidArgument / DataLoss naming the problem, never a crash.
  static absl::StatusOr<IntentModel> FromBytes(absl::string_view bytes);
  static absl::StatusOr<IntentModel> FromFile(const std::string& path);

  std::string ToBytes() const;
  absl::Status ToFile(const std::string& path) const;

  // Top labels with probabilities and the n-grams that most supported the winner. `scratch`
  // (optional) saves the allocations of a fresh one per call.
  Prediction Predict(absl::string_view text, const PredictOptions& options = {},
                     PredictScratch* scratch = nullptr) const;

  // Index (into labels()) of the most probable label; no allocation once `scratch` is warm.
  int PredictIndex(absl::string_view text, PredictScratch* scratch) const;

  // Probabilities of every label (index order of labels()) into scratch->scores: the mean of
  // the members' softmax outputs.
  void Probabilities(absl::string_view text, PredictScratch* scratch) const;

  const std::vector<std::string>& labels() const { return parts_.labels; }
  const FeaturizerConfig& featurizer_config() const { return featurizer_.config(); }
  const std::string& metadata() const { return parts_.metadata; }
  size_t num_rows() const { return parts_.buckets.size(); }
  const std::vector<ModelMember>& members() const { return parts_.members; }

 private:
  explicit IntentModel(const FeaturizerConfig& config) : featurizer_(config) {}
  // The message's feature vector (IDF applied, normalised) into scratch->features.
  void Featurize(absl::string_view text, PredictScratch* scratch) const;
  // One member's raw scores (before softmax) of scratch->features into scratch->member_scores;
  // records which hidden units were active in scratch->active at `active_offset`.
  void MemberScores(const ModelMember& m, size_t active_offset, PredictScratch* scratch) const;
  // Fills scratch->unit_weight for explaining `label` (after Probabilities).
  void PrepareContributions(int label, PredictScratch* scratch) const;
  // How much the feature in `row` with `value` added to the members' mean score of `label`
  // (exact for linear members; for hidden layers, through the units active for this message).
  // Needs PrepareContributions(label).
  float Contribution(int32_t row, float value, int label, const PredictScratch& scratch) const;

  Featurizer featurizer_;
  ModelParts parts_;
  std::vector<int32_t> row_of_;  // bucket -> row, -1 when none (built, not stored)
  size_t total_hidden_ = 0;      // hidden units of all members (scratch size)
};

// CRC-32 (IEEE 802.3 polynomial, as zlib's crc32) of `bytes`.
uint32_t Crc32(absl::string_view bytes);

}  // namespace omniroute::classification::model
