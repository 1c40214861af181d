// The out-of-scope detector: its score, its threshold in the model file (version 3), version-2
// files, corrupt detector fields, the calibrator and the threshold rule.
#include "services/classification/model/out_of_scope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/classification/model/trainer.h"
#include "tests/unit/model/synthetic_intents.h"

namespace omniroute::classification::model {
namespace {

using ::testing::HasSubstr;

// Six intents: enough labels for two nested folds of held-out intents.
std::vector<Example> Intents(int per_label, uint64_t seed) { return Synthetic(per_label, seed, 6); }

TrainOptions Options() {
  TrainOptions o;
  o.featurizer.hash_bits = 16;
  o.epochs = 10;
  o.hidden = 16;
  o.min_df = 1;
  o.dropout = 0.2;
  o.views = "text+words";
  return o;
}

const std::vector<std::string> kForeign = {
    "what will the weather be tomorrow",       "play some jazz music", "zzz qqq xxyy", "", "???",
    "recommend a pizza place near the station"};

IntentModel Train(const TrainOptions& o = Options()) {
  absl::StatusOr<IntentModel> m = TrainIntentModel(Intents(40, 1), o, "oos test");
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

TEST(OutOfScope, ScoreInRangeAndHigherForForeignMessages) {
  const IntentModel m = Train();
  ASSERT_TRUE(m.has_oos_detector());
  EXPECT_GE(m.oos_threshold(), 0.0f);
  EXPECT_LE(m.oos_threshold(), 1.0f);
  double in_scope = 0, foreign = 0;
  const std::vector<Example> held = Intents(20, 2);
  for (const Example& e : held) {
    const Prediction p = m.Predict(e.text, {.top_labels = 1, .top_features = 0});
    EXPECT_GE(p.out_of_scope_score, 0.0f);
    EXPECT_LE(p.out_of_scope_score, 1.0f);
    // The service's path and the explaining one give the same score.
    EXPECT_EQ(p.out_of_scope_score, m.Predict(e.text).out_of_scope_score);
    in_scope += p.out_of_scope_score / held.size();
  }
  for (const std::string& text : kForeign) {
    const float score = m.Predict(text, {.top_labels = 1, .top_features = 0}).out_of_scope_score;
    EXPECT_GE(score, 0.0f);
    EXPECT_LE(score, 1.0f);
    foreign += score / kForeign.size();
  }
  EXPECT_GT(foreign, in_scope + 0.2) << "in scope " << in_scope << ", foreign " << foreign;
}

TEST(OutOfScope, DetectorDoesNotChangeTheLabels) {
  TrainOptions without = Options();
  without.oos_folds = 0;
  const IntentModel a = Train(), b = Train(without);
  EXPECT_FALSE(b.has_oos_detector());
  EXPECT_EQ(b.oos_threshold(), kNeverOutOfScope);
  PredictScratch sa, sb;
  for (const Example& e : Intents(10, 3)) {
    a.Probabilities(e.text, &sa);
    b.Probabilities(e.text, &sb);
    EXPECT_EQ(sa.scores, sb.scores) << e.text;
  }
}

TEST(OutOfScope, ThresholdAndDetectorRoundTripThroughTheFile) {
  TrainOptions o = Options();
  o.oos_threshold = 0.37;
  const IntentModel m = Train(o);
  EXPECT_EQ(m.oos_threshold(), 0.37f);
  ASSERT_FALSE(m.oos_detector().centroids.empty());
  const std::string bytes = m.ToBytes();
  absl::StatusOr<IntentModel> back = IntentModel::FromBytes(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->oos_threshold(), 0.37f);
  EXPECT_EQ(back->oos_detector().weights, m.oos_detector().weights);
  EXPECT_EQ(back->oos_detector().centroids, m.oos_detector().centroids);
  ASSERT_EQ(back->oos_detector().hidden_space.size(), 2u);  // one per member
  EXPECT_EQ(back->oos_detector().hidden_space[1].prototype,
            m.oos_detector().hidden_space[1].prototype);
  EXPECT_EQ(back->ToBytes(), bytes);
  for (const std::string& text : kForeign) {
    EXPECT_EQ(back->Predict(text).out_of_scope_score, m.Predict(text).out_of_scope_score);
  }
}

TEST(OutOfScope, VersionTwoFileLoadsAndIsNeverOutOfScope) {
  // A model file written by the previous version of this library (the fuzz corpus).
  std::ifstream in(OMNIROUTE_SOURCE_DIR "/tests/fuzz/corpus/model_file/mlp.model",
                   std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  ASSERT_EQ(bytes.str()[8], 2) << "not a version-2 file";
  absl::StatusOr<IntentModel> m = IntentModel::FromBytes(bytes.str());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->has_oos_detector());
  EXPECT_EQ(m->oos_threshold(), kNeverOutOfScope);
  const Prediction p = m->Predict("I lost my card");
  EXPECT_FLOAT_EQ(p.out_of_scope_score, 1.0f - p.labels[0].probability);
  EXPECT_LT(p.out_of_scope_score, m->oos_threshold());
  // Written again, it is a version-3 file with the same predictions.
  absl::StatusOr<IntentModel> again = IntentModel::FromBytes(m->ToBytes());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ToBytes()[8], 3);
  EXPECT_EQ(again->Predict("I lost my card").labels[0].probability, p.labels[0].probability);
}

// The detector's fields, from the end of a model with a threshold and no centroids (one view of
// linear members): u32 count, kOutOfScopeSignals weights, bias, u32 1, threshold, u32 0, then
// the CRC.
class CorruptDetectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TrainOptions o = Options();
    o.hidden = 0;
    o.learning_rate = 1;
    o.views = "text";
    bytes_ = Train(o).ToBytes();
  }
  size_t End() const { return bytes_.size() - 4; }
  static void PutU32(std::string* b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) (*b)[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  }
  std::string Message(std::string b) {
    PutU32(&b, b.size() - 4, Crc32(absl::string_view(b).substr(0, b.size() - 4)));
    absl::StatusOr<IntentModel> m = IntentModel::FromBytes(b);
    EXPECT_FALSE(m.ok());
    return m.ok() ? "" : std::string(m.status().message());
  }
  std::string bytes_;
};

TEST_F(CorruptDetectorTest, BadFieldsAreRefused) {
  std::string b = bytes_;
  uint32_t bits;
  const float out_of_range = 1.5f;
  std::memcpy(&bits, &out_of_range, 4);
  PutU32(&b, End() - 8, bits);  // the threshold
  EXPECT_THAT(Message(b), HasSubstr("out-of-scope threshold is not in [0, 1]"));
  b = bytes_;
  PutU32(&b, End() - 8, 0x7FC00000u);  // NaN threshold
  EXPECT_THAT(Message(b), HasSubstr("out-of-scope threshold is not a finite number"));
  b = bytes_;
  PutU32(&b, End() - 12, 2);  // the threshold flag
  EXPECT_THAT(Message(b), HasSubstr("out-of-scope threshold flag 2"));
  b = bytes_;
  PutU32(&b, End() - 4, 7);  // the centroid flag
  EXPECT_THAT(Message(b), HasSubstr("out-of-scope centroid flag 7"));
  b = bytes_;
  const size_t count_at = End() - 4 * (kOutOfScopeSignals + 5);
  PutU32(&b, count_at, 3);  // the signal count
  EXPECT_THAT(Message(b), HasSubstr("out-of-scope signal count 3"));
  b = bytes_;
  PutU32(&b, count_at + 4, 0x7F800000u);  // an infinite weight
  EXPECT_THAT(Message(b), HasSubstr("out-of-scope weight is not a finite number"));
}

// A model with hidden layers ends with its (one) member's prototypes: u32 flag, u32 count, then
// labels x hidden x count bytes.
TEST(OutOfScope, CorruptHiddenSpaceIsRefused) {
  TrainOptions o = Options();
  o.views = "text";
  const IntentModel m = Train(o);
  ASSERT_EQ(m.oos_detector().hidden_space.size(), 1u);
  const HiddenSpace& g = m.oos_detector().hidden_space[0];
  std::string b = m.ToBytes();
  const size_t end = b.size() - 4;
  const size_t count_at = end - g.prototype.size() - 4;
  const size_t flag_at = count_at - 4;
  auto message = [](std::string bytes, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    const uint32_t crc = Crc32(absl::string_view(bytes).substr(0, bytes.size() - 4));
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
    absl::StatusOr<IntentModel> back = IntentModel::FromBytes(bytes);
    return back.ok() ? std::string() : std::string(back.status().message());
  };
  EXPECT_THAT(message(b, count_at, 0), HasSubstr("out-of-scope prototype count 0"));
  EXPECT_THAT(message(b, count_at, 100000), HasSubstr("out-of-scope prototype count 100000"));
  EXPECT_THAT(message(b, flag_at, 2), HasSubstr("out-of-scope prototype flag 2"));
  // Unchanged, it loads.
  EXPECT_TRUE(message(b, count_at, g.prototypes).empty());
}

TEST(OutOfScope, CalibratorSeparatesAndThresholdRejectsTheRate) {
  std::mt19937_64 rng(5);
  std::vector<float> signals;
  std::vector<bool> oos;
  for (int i = 0; i < 400; ++i) {
    const bool y = i % 2 == 0;
    for (size_t j = 0; j < kOutOfScopeSignals; ++j) {
      const float noise = static_cast<float>(rng() % 1000) / 1000.0f;
      signals.push_back(j == 0 ? (y ? 0.3f : 0.7f) + 0.5f * noise : noise);
    }
    oos.push_back(y);
  }
  const OutOfScopeDetector d = FitOutOfScopeDetector(signals, oos);
  ASSERT_EQ(d.weights.size(), kOutOfScopeSignals);
  EXPECT_LT(d.weights[0], 0);  // a low first signal means out of scope
  // Restricted to signals 1 and 2 (noise), the others get no weight and it separates nothing.
  bool use[kOutOfScopeSignals] = {false, true, true};
  const OutOfScopeDetector noise = FitOutOfScopeDetector(signals, oos, use);
  ASSERT_EQ(noise.weights.size(), kOutOfScopeSignals);
  EXPECT_EQ(noise.weights[0], 0);
  EXPECT_EQ(noise.weights[3], 0);
  EXPECT_NE(noise.weights[1], 0);
  std::vector<float> scores;
  for (size_t i = 0; i < oos.size(); ++i) {
    scores.push_back(OutOfScopeScoreOf(d, &signals[i * kOutOfScopeSignals]));
  }
  EXPECT_GT(RocAuc(scores, oos), 0.8);
  EXPECT_TRUE(FitOutOfScopeDetector(signals, std::vector<bool>(oos.size(), false)).weights.empty());

  std::vector<float> in_scope;
  for (int i = 0; i < 100; ++i) in_scope.push_back(i / 100.0f);
  const float t = ThresholdForRejectRate(in_scope, 0.05);
  EXPECT_EQ(std::count_if(in_scope.begin(), in_scope.end(), [&](float s) { return s >= t; }), 5);
  EXPECT_GT(ThresholdForRejectRate(in_scope, 0), 0.99f);
  EXPECT_EQ(ThresholdForRejectRate({}, 0.05), kNeverOutOfScope);
  EXPECT_EQ(RocAuc({0.1f, 0.2f, 0.8f, 0.9f}, {false, false, true, true}), 1.0);
  EXPECT_EQ(RocAuc({0.1f, 0.2f, 0.8f, 0.9f}, {true, true, false, false}), 0.0);
  EXPECT_EQ(RocAuc({0.5f, 0.5f}, {true, false}), 0.5);
}

}  // namespace
}  // namespace omniroute::classification::model
