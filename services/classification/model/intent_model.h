#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/classification/model/featurizer.h"
#include "services/classification/model/hidden_space.h"
#include "services/classification/model/huge_pages.h"

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
  // In [0, 1], higher = more likely none of the model's intents (see OutOfScopeDetector); out of
  // scope when >= IntentModel::oos_threshold().
  float out_of_scope_score = 0;
};

struct PredictOptions {
  int top_labels = 3;
  int top_features = 5;
};

// Buffers of one feature view (see ModelView).
struct ViewScratch {
  FeaturizerScratch featurizer;
  std::vector<SparseFeature> features;  // IDF applied, L2-normalised, sorted by bucket
  std::vector<int32_t> rows;            // weight row of each feature, -1 when none
  std::vector<uint64_t> order;          // n-grams by bucket (for explanations)
  std::vector<uint64_t> order_tmp;
};

// Per-thread buffers for the allocation-free prediction path.
struct PredictScratch {
  std::vector<ViewScratch> views;
  std::vector<float> hidden;    // activations of a member's hidden layer
  std::vector<uint8_t> active;  // per member and hidden unit: was it > 0 (for explanations)
  std::vector<float> member_scores;
  std::vector<float> unit_weight;  // per hidden unit: its weight for the explained label
  std::vector<float> scores;
  // Per member, for the out-of-scope signals: its softmax output (members x labels) and its
  // largest raw score.
  std::vector<float> member_probs;
  std::vector<float> member_max_score;
  std::vector<float> member_hidden;  // every member's hidden activations (at its active offset)
};

// One classifier over its view's weight rows. Linear (hidden == 0, multinomial logistic
// regression): score(label) = bias[label] + sum over the message's features of value *
// row_scale[row] * weights[row][label]. With a hidden layer: h = ReLU(hidden_bias + sum of value *
// row_scale[row] * weights[row]), score = bias + h . output_weights.
//
// The input layer is stored as 8-bit integers with one scale per row (the row's largest magnitude
// / 127): a quarter of the bytes of floats, so a Banking77 model fits in the CPU's last-level
// cache, and inference, which reads a few hundred scattered rows per message, is that much
// faster. Training works in floats and quantises at the end (cross-validation: no measurable
// loss).
struct ModelMember {
  int hidden = 0;  // units of the hidden ReLU layer (0: linear)
  // rows x labels (linear) or rows x hidden (the input layer), row-major.
  std::vector<int8_t, HugePageAllocator<int8_t>> weights;
  std::vector<float> row_scale;       // one per row
  std::vector<float> bias;            // one per label
  std::vector<float> hidden_bias;     // `hidden` values
  std::vector<float> output_weights;  // hidden x labels (row h: all labels of unit h)
};

// A featurizer and the members that read its features. Only buckets seen in training have
// weight rows (the others would be zero), so members hold rows x width values rather than
// 2^hash_bits x width.
struct ModelView {
  FeaturizerConfig featurizer;
  std::vector<uint32_t> buckets;  // sorted bucket ids that have a weight row
  std::vector<float> idf;         // one per row (featurizer.idf only)
  float idf_unseen = 0;           // IDF of a bucket without a row (featurizer.idf only)
  std::vector<ModelMember> members;
};

// "None of these intents": a logistic calibrator over cheap signals of one prediction (see
// out_of_scope.h), score = sigmoid(bias + weights . signals), and the default operating point.
// Empty weights: no detector (models of format version 2): the score is then 1 - the top
// probability and the threshold kNeverOutOfScope.
struct OutOfScopeDetector {
  std::vector<float> weights;  // kOutOfScopeSignals values, or none
  float bias = 0;
  // Per member (views in order), when every member has a hidden layer: labels x hidden, the
  // mean hidden activations of the label's training messages (the centroid signal), else none.
  std::vector<std::vector<float>> centroids;
  // Per member, with the centroids: the Gaussians and prototypes of its hidden space (see
  // hidden_space.h), else none.
  std::vector<HiddenSpace> hidden_space;
  // A score at or above it is out of scope; in [0, 1], or kNeverOutOfScope without weights.
  float threshold = std::numeric_limits<float>::infinity();
};

// The threshold of a model without an out-of-scope detector: no score reaches it.
inline constexpr float kNeverOutOfScope = std::numeric_limits<float>::infinity();

// Everything a model is made of. Create checks: labels non-empty and unique; at least one view,
// each with a valid featurizer, buckets strictly increasing and below 2^hash_bits, at least one
// member, each with weights, row scales, bias and hidden layer sized as described above;
// idf.size() == buckets.size() with featurizer.idf, else empty; every number finite and at most
// 1e6 in magnitude (IDF values at least 0.001, row scales positive), so no prediction
// overflows; temperature in [0.001, 1000].
struct ModelParts {
  std::vector<std::string> labels;
  std::vector<ModelView> views;
  // Calibration: the members' mean probabilities p become p^(1/temperature), renormalised (for a
  // single member that is softmax(scores / temperature)). > 1 makes an over-confident model less
  // sure; the ranking of labels does not change.
  float temperature = 1;
  std::string metadata;  // free text, e.g. how the model was trained
  OutOfScopeDetector out_of_scope;
};

// A classifier over hashed n-grams (see Featurizer): an ensemble of members (see ModelMember),
// grouped by the feature view they read (see ModelView), whose softmax probabilities are
// averaged and then tempered (see ModelParts::temperature).
//
// Immutable after construction, so one instance may serve many threads (each with its own
// PredictScratch) and be swapped atomically as a whole (e.g. behind a shared_ptr).
class IntentModel {
 public:
  // Serialised form version written by ToBytes (see intent_model.cc for the layout).
  // Version 3 adds the out-of-scope detector; version 2 files still load (without one).
  static constexpr uint32_t kFormatVersion = 3;
  static constexpr uint32_t kFormatVersionWithoutOos = 2;

  // Assembles and validates a model (see ModelParts for the rules).
  static absl::StatusOr<IntentModel> Create(ModelParts parts);

  // Parses the bytes written by ToBytes (from a file or a Redis value). Checks the magic, the
  // version, the declared size against the actual one, the CRC-32 and every count and value;
  // a bad input yields InvalidArgument / DataLoss naming the problem, never a crash.
  static absl::StatusOr<IntentModel> FromBytes(absl::string_view bytes);
  static absl::StatusOr<IntentModel> FromFile(const std::string& path);

  std::string ToBytes() const;
  absl::Status ToFile(const std::string& path) const;

  // Top labels with probabilities and the n-grams that most supported the winner. Without
  // `scratch` a per-thread one is used, so callers that pass none do not allocate buffers per
  // call either (only the returned Prediction).
  Prediction Predict(absl::string_view text, const PredictOptions& options = {},
                     PredictScratch* scratch = nullptr) const;

  // Index (into labels()) of the most probable label; no allocation once `scratch` is warm.
  int PredictIndex(absl::string_view text, PredictScratch* scratch) const;

  // Probabilities of every label (index order of labels()) into scratch->scores: the mean of
  // the members' softmax outputs.
  void Probabilities(absl::string_view text, PredictScratch* scratch) const;

  const std::vector<std::string>& labels() const { return parts_.labels; }
  // The featurizer of the first view.
  const FeaturizerConfig& featurizer_config() const { return parts_.views[0].featurizer; }
  const std::string& metadata() const { return parts_.metadata; }
  float temperature() const { return parts_.temperature; }
  // The default out-of-scope operating point stored in the model: a Prediction whose
  // out_of_scope_score is >= it is none of the model's intents. kNeverOutOfScope (+infinity)
  // for a model without a detector (e.g. a version-2 file).
  float oos_threshold() const { return parts_.out_of_scope.threshold; }
  bool has_oos_detector() const { return !parts_.out_of_scope.weights.empty(); }
  const OutOfScopeDetector& oos_detector() const { return parts_.out_of_scope; }
  // After Probabilities(text, scratch): the out-of-scope signals of that message
  // (kOutOfScopeSignals values, see out_of_scope.h) and its score (see OutOfScopeDetector).
  void OutOfScopeSignals(const PredictScratch& scratch, float* signals) const;
  float OutOfScopeScore(const PredictScratch& scratch) const;
  // The centroids of OutOfScopeDetector: each member's mean hidden activations per label over
  // `texts` (labels: indices into labels()); empty when a member is linear.
  std::vector<std::vector<float>> HiddenCentroids(const std::vector<std::string>& texts,
                                                  const std::vector<int>& labels) const;
  // A copy of this model with `detector` instead of its own.
  absl::StatusOr<IntentModel> WithOutOfScope(OutOfScopeDetector detector) const;
  // Weight rows of all views.
  size_t num_rows() const;
  size_t num_members() const { return num_members_; }
  const std::vector<ModelView>& views() const { return parts_.views; }

 private:
  IntentModel() = default;
  // View v's feature vector (IDF applied, normalised) and rows into scratch->views[v]; its
  // n-grams too with `record_ngrams` (for explanations).
  void Featurize(size_t v, absl::string_view text, bool record_ngrams,
                 PredictScratch* scratch) const;
  // IDF, weight rows and L2 norm of view v's unnormalised features in scratch->views[v].
  void FinishFeatures(size_t v, PredictScratch* scratch) const;
  void Probabilities(absl::string_view text, bool record_ngrams, PredictScratch* scratch) const;
  // One member's raw scores (before softmax) of its view's features into
  // scratch->member_scores; records which hidden units were active in scratch->active at
  // `active_offset`.
  void MemberScores(const ModelMember& m, const ViewScratch& view, size_t active_offset,
                    PredictScratch* scratch) const;
  // Fills scratch->unit_weight for explaining `label` (after Probabilities).
  void PrepareContributions(int label, PredictScratch* scratch) const;
  // How much the feature in `row` of view v with `value` added to the members' mean score of
  // `label` (exact for linear members; for hidden layers, through the units active for this
  // message). Needs PrepareContributions(label).
  float Contribution(size_t v, int32_t row, float value, int label,
                     const PredictScratch& scratch) const;
  // Appends the top n-grams of `winner` to p->features.
  void Explain(int winner, int top_features, PredictScratch* scratch, Prediction* p) const;

  // Bucket -> weight row and IDF of one view. Rows are numbered in bucket order, so a bucket's
  // row is the number of buckets with a row below it: a bitmap of the buckets with a row, in
  // words of 64 buckets each stored with the count of rows before it (16 bytes per 64 buckets:
  // 256 KiB for 2^20 buckets, instead of 4 MiB for an array of rows). A lookup reads one word,
  // counts bits and reads the row's IDF, without a branch or a probe sequence, and the index of
  // all three default views fits in the L2 cache beside their IDF values.
  class RowIndex {
   public:
    struct Entry {
      int32_t row = -1;  // -1: the bucket has no row
      float idf = 1;     // the view's unseen-bucket IDF when row is -1; 1 without IDF
    };
    RowIndex(const std::vector<uint32_t>& buckets, const std::vector<float>& idf, float idf_unseen,
             int hash_bits);
    Entry Find(uint32_t bucket) const {
      const Word& w = words_[bucket >> 6];
      const uint64_t bit = uint64_t{1} << (bucket & 63);
      const bool has = (w.bits & bit) != 0;
      const uint32_t row = w.rank + PopCount(w.bits & (bit - 1));
      const float idf = idf_[has ? row : 0];  // idf_ is never empty
      return Entry{has ? static_cast<int32_t>(row) : -1, has ? idf : unseen_};
    }
    // Asks for the cache line Find(bucket) reads first.
    void Prefetch(uint32_t bucket) const { __builtin_prefetch(&words_[bucket >> 6]); }

   private:
    struct Word {
      uint64_t bits = 0;  // bit b: bucket 64 * word + b has a row
      uint32_t rank = 0;  // rows of the buckets below this word
      uint32_t unused = 0;
    };
    // Set bits of x, without the POPCNT instruction (the library is built for any x86-64).
    static uint32_t PopCount(uint64_t x) {
      x -= (x >> 1) & 0x5555555555555555ULL;
      x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
      x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
      return static_cast<uint32_t>((x * 0x0101010101010101ULL) >> 56);
    }
    float unseen_ = 1;
    std::vector<Word> words_;
    std::vector<float> idf_;  // per row (1 without IDF), at least one value
  };

  ModelParts parts_;
  std::vector<Featurizer> featurizers_;  // one per view
  std::vector<RowIndex> row_of_;         // one per view
  std::vector<size_t> active_offset_;    // per view: its first member's hidden units
  std::vector<int> companion_;           // per view: the view featurised in the same pass, or -1
  std::vector<bool> derived_;            // per view: featurised as another view's companion
  size_t total_hidden_ = 0;              // hidden units of all members (scratch size)
  size_t num_members_ = 0;
};

// CRC-32 (IEEE 802.3 polynomial, as zlib's crc32) of `bytes`.
uint32_t Crc32(absl::string_view bytes);

}  // namespace omniroute::classification::model
