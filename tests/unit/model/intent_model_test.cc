#include "services/classification/model/intent_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "services/classification/model/out_of_scope.h"
#include "services/classification/model/trainer.h"
#include "tests/unit/model/synthetic_intents.h"

namespace omniroute::classification::model {
namespace {

using ::testing::HasSubstr;

TrainOptions SmallOptions(int hidden = 0, int members = 1) {
  TrainOptions o;
  o.featurizer.hash_bits = 16;
  o.epochs = 10;
  o.hidden = hidden;
  o.members = members;
  o.min_df = 1;
  o.learning_rate = hidden > 0 ? 0.1 : 1.0;
  o.dropout = hidden > 0 ? 0.2 : 0.0;
  o.views = "text";
  return o;
}

double Accuracy(const IntentModel& m, const std::vector<Example>& data) {
  PredictScratch s;
  int ok = 0;
  for (const Example& e : data) ok += m.labels()[m.PredictIndex(e.text, &s)] == e.label;
  return static_cast<double>(ok) / data.size();
}

// Parameters: hidden units, ensemble members.
class TrainTest : public ::testing::TestWithParam<std::pair<int, int>> {
 protected:
  TrainOptions Options() const { return SmallOptions(GetParam().first, GetParam().second); }
};

TEST_P(TrainTest, LearnsTheSyntheticIntents) {
  auto m = TrainIntentModel(Synthetic(40, 1), Options());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->labels(), (std::vector<std::string>{"card_lost", "greeting", "refund"}));
  EXPECT_GE(Accuracy(*m, Synthetic(30, 2)), 0.95);
  const Prediction p = m->Predict("hello there, good morning");
  EXPECT_EQ(p.labels[0].label, "greeting");
}

TEST_P(TrainTest, SameSeedGivesByteIdenticalModels) {
  const auto data = Synthetic(20, 3);
  auto a = TrainIntentModel(data, Options(), "meta");
  auto b = TrainIntentModel(data, Options(), "meta");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->ToBytes(), b->ToBytes());
  TrainOptions other = Options();
  other.seed = 7;
  auto c = TrainIntentModel(data, other, "meta");
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->ToBytes(), c->ToBytes());
}

TEST_P(TrainTest, BytesRoundTripGivesIdenticalPredictions) {
  auto m = TrainIntentModel(Synthetic(20, 4), Options(), "trained for a test");
  ASSERT_TRUE(m.ok());
  const std::string bytes = m->ToBytes();
  auto back = IntentModel::FromBytes(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ToBytes(), bytes);
  EXPECT_EQ(back->metadata(), "trained for a test");
  PredictScratch s1, s2;
  for (const Example& e : Synthetic(10, 5)) {
    m->Probabilities(e.text, &s1);
    back->Probabilities(e.text, &s2);
    EXPECT_EQ(s1.scores, s2.scores) << e.text;
  }
}

INSTANTIATE_TEST_SUITE_P(LinearHiddenAndEnsembles, TrainTest,
                         ::testing::Values(std::pair{0, 1}, std::pair{16, 1}, std::pair{0, 2},
                                           std::pair{16, 3}));

TEST(Train, MinDfDropsRareBucketsAndStillLearns) {
  const auto data = Synthetic(40, 12);
  TrainOptions o = SmallOptions();
  auto all = TrainIntentModel(data, o);
  o.min_df = 3;
  auto pruned = TrainIntentModel(data, o);
  ASSERT_TRUE(all.ok() && pruned.ok());
  EXPECT_LT(pruned->num_rows(), all->num_rows());
  EXPECT_GE(Accuracy(*pruned, Synthetic(30, 13)), 0.95);
}

TEST(Predict, EnsembleExplanationsNameTheKeyword) {
  TrainOptions o = SmallOptions(16, 2);
  o.featurizer.char_ngram_min = o.featurizer.char_ngram_max = 0;
  auto m = TrainIntentModel(Synthetic(40, 14), o);
  ASSERT_TRUE(m.ok());
  const Prediction p = m->Predict("hello, good morning to you");
  EXPECT_EQ(p.labels[0].label, "greeting");
  ASSERT_FALSE(p.features.empty());
  EXPECT_THAT(p.features[0].feature, ::testing::AnyOf("w:hello", "w:morning"));
}

TEST(Predict, ProbabilitiesAndExplanations) {
  TrainOptions o = SmallOptions();
  o.featurizer.idf = true;
  // Words only, so that the keyword's weight is not shared with its character n-grams.
  o.featurizer.char_ngram_min = o.featurizer.char_ngram_max = 0;
  auto m = TrainIntentModel(Synthetic(40, 6), o);
  ASSERT_TRUE(m.ok());
  PredictOptions po;
  po.top_labels = 3;
  po.top_features = 4;
  const Prediction p = m->Predict("please I want a refund", po);
  ASSERT_EQ(p.labels.size(), 3u);
  EXPECT_EQ(p.labels[0].label, "refund");
  EXPECT_GE(p.labels[0].probability, p.labels[1].probability);
  EXPECT_GE(p.labels[1].probability, p.labels[2].probability);
  EXPECT_NEAR(p.labels[0].probability + p.labels[1].probability + p.labels[2].probability, 1.0,
              1e-4);
  ASSERT_EQ(p.features.size(), 4u);
  EXPECT_EQ(p.features[0].feature, "w:refund");
  EXPECT_GT(p.features[0].contribution, 0);
  for (size_t i = 1; i < p.features.size(); ++i) {
    EXPECT_GE(p.features[i - 1].contribution, p.features[i].contribution);
  }
  // Text without any known n-gram: the priors decide, nothing to explain.
  const Prediction empty = m->Predict("???");
  EXPECT_EQ(empty.labels.size(), 3u);
  EXPECT_TRUE(empty.features.empty());
}

// --- Corrupt inputs: every one is refused with a message naming the problem. ---

class CorruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = TrainIntentModel(Synthetic(10, 8), SmallOptions(), "m");
    ASSERT_TRUE(m.ok());
    bytes_ = m->ToBytes();
  }
  static std::string Message(absl::string_view bytes) {
    auto m = IntentModel::FromBytes(bytes);
    EXPECT_FALSE(m.ok());
    return m.ok() ? "" : std::string(m.status().message());
  }
  // Rewrites the trailing CRC so that a deliberate change passes the checksum.
  static void FixCrc(std::string* b) {
    const uint32_t crc = Crc32(absl::string_view(*b).substr(0, b->size() - 4));
    for (int i = 0; i < 4; ++i)
      (*b)[b->size() - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  }
  std::string bytes_;
};

TEST(Crc32, MatchesTheStandardCheckValue) { EXPECT_EQ(Crc32("123456789"), 0xCBF43926u); }

TEST_F(CorruptTest, EmptyAndForeignFiles) {
  EXPECT_THAT(Message(""), HasSubstr("not an omniroute intent model"));
  EXPECT_THAT(Message("text,label\nhello,greeting\n"), HasSubstr("wrong magic"));
}

TEST_F(CorruptTest, UnsupportedVersion) {
  std::string b = bytes_;
  b[8] = 9;
  EXPECT_THAT(Message(b), HasSubstr("unsupported intent model format version 9"));
}

TEST_F(CorruptTest, EveryTruncationIsRejected) {
  for (size_t n = 0; n < bytes_.size(); n += (n < 200 ? 1 : 997)) {
    auto m = IntentModel::FromBytes(absl::string_view(bytes_).substr(0, n));
    ASSERT_FALSE(m.ok()) << n;
    if (n >= 20) {
      EXPECT_THAT(m.status().message(), HasSubstr("truncated")) << n;
    }
  }
  EXPECT_THAT(Message(bytes_.substr(0, bytes_.size() - 1)),
              HasSubstr(absl::StrCat("truncated: ", bytes_.size() - 1, " of ", bytes_.size())));
}

TEST_F(CorruptTest, TrailingBytes) {
  EXPECT_THAT(Message(bytes_ + "xx"), HasSubstr("2 unexpected trailing bytes"));
}

TEST_F(CorruptTest, AnyFlippedByteFailsTheChecksum) {
  for (size_t i = 20; i < bytes_.size(); i += 101) {
    std::string b = bytes_;
    b[i] ^= 0x40;
    EXPECT_THAT(Message(b), HasSubstr("checksum mismatch")) << i;
  }
}

TEST_F(CorruptTest, BadCountsBehindAValidChecksum) {
  // hash_bits (the first view's first featurizer field, byte 24, after the view count) set to
  // 200.
  std::string b = bytes_;
  b[24] = static_cast<char>(200);
  FixCrc(&b);
  EXPECT_THAT(Message(b), HasSubstr("hash_bits = 200 is out of range"));
  // A NaN temperature: the float before the out-of-scope detector, which is (linear members, so
  // no centroids) u32 count, kOutOfScopeSignals weights, bias, u32 1, threshold, u32 0, then the
  // CRC.
  b = bytes_;
  const size_t temperature_end = b.size() - 4 - 4 * (kOutOfScopeSignals + 5);
  b[temperature_end - 1] = static_cast<char>(0x7F);
  b[temperature_end - 2] = static_cast<char>(0xC0);
  FixCrc(&b);
  EXPECT_THAT(Message(b), HasSubstr("not a finite number"));
}

TEST_F(CorruptTest, GarbledBytesNeverCrash) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::string b = bytes_;
    for (int k = 0; k < 3; ++k) b[20 + rng() % (b.size() - 24)] = static_cast<char>(rng());
    FixCrc(&b);  // get past the checksum so the parser itself is exercised
    auto m = IntentModel::FromBytes(b);
    if (m.ok()) m->Predict("lost card");  // a change in a weight may still be a valid model
  }
}

TEST(FromFile, MissingAndWrittenFiles) {
  auto missing = IntentModel::FromFile("/nonexistent/model.bin");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  auto m = TrainIntentModel(Synthetic(10, 9), SmallOptions());
  ASSERT_TRUE(m.ok());
  const std::string path = ::testing::TempDir() + "/intent_model_test.bin";
  ASSERT_TRUE(m->ToFile(path).ok());
  auto back = IntentModel::FromFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ToBytes(), m->ToBytes());
  std::remove(path.c_str());
}

TEST(Create, ValidatesParts) {
  ModelParts p;
  p.labels = {"a", "a"};
  p.views.resize(1);
  ModelView& v = p.views[0];
  v.featurizer.idf = false;
  v.members.resize(1);
  v.members[0].bias = {0, 0};
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()), HasSubstr("duplicate"));
  p.labels = {"a", "b"};
  v.buckets = {5, 3};
  v.members[0].weights = {0, 0, 0, 0};
  v.members[0].row_scale = {1, 1};
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()),
              HasSubstr("not strictly increasing"));
  v.buckets = {3};
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()),
              HasSubstr("member 0: weights: 4 values for 1 rows x 2"));
  v.members[0].weights = {0, 0};
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()),
              HasSubstr("member 0: row scales: 2 values for 1 rows"));
  v.members[0].row_scale = {0};
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()),
              HasSubstr("row scale is not positive"));
  v.members[0].row_scale = {0.5f};
  EXPECT_TRUE(IntentModel::Create(p).ok());
  // Finite but huge (or tiny) numbers would make predictions overflow to NaN.
  v.members[0].bias = {0, 1e30f};
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()),
              HasSubstr("member 0: a weight is not finite or exceeds 1e+06"));
  v.members[0].bias = {0, 0};
  v.featurizer.word_weight = 1e-40f;
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()), HasSubstr("block weights"));
  v.featurizer.word_weight = 1;
  for (float t : {0.0f, 1e-6f, 1e6f}) {
    p.temperature = t;
    EXPECT_THAT(std::string(IntentModel::Create(p).status().message()), HasSubstr("temperature"));
  }
  p.temperature = 1;
  p.views.push_back(p.views[0]);
  p.views[1].featurizer.hash_bits = 2;
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()),
              HasSubstr("view 1: featurizer: hash_bits 2"));
  p.views.pop_back();  // (the push_back may have moved p.views[0])
  p.views[0].members[0].hidden = 3;
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()), HasSubstr("member 0"));
  p.views[0].members.clear();
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()), HasSubstr("member"));
  p.views.clear();
  EXPECT_THAT(std::string(IntentModel::Create(p).status().message()), HasSubstr("view"));
}

TEST(Train, ViewsTrainTheirOwnNetworksAndExplainTogether) {
  TrainOptions o = SmallOptions(16, 2);
  o.views = "words+word";
  o.label_smoothing = 0.1;
  auto m = TrainIntentModel(Synthetic(40, 21), o, "views");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->views().size(), 2u);
  EXPECT_EQ(m->num_members(), 4u);
  EXPECT_EQ(m->num_rows(), m->views()[0].buckets.size() + m->views()[1].buckets.size());
  EXPECT_GE(Accuracy(*m, Synthetic(30, 22)), 0.95);
  const Prediction p = m->Predict("hello, good morning to you");
  EXPECT_EQ(p.labels[0].label, "greeting");
  ASSERT_FALSE(p.features.empty());
  // Each n-gram once, even when both views produce it ("w:hello" comes from both).
  std::set<std::string> names;
  for (const FeatureContribution& f : p.features) EXPECT_TRUE(names.insert(f.feature).second);
  auto back = IntentModel::FromBytes(m->ToBytes());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ToBytes(), m->ToBytes());
  auto again = TrainIntentModel(Synthetic(40, 21), o, "views");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToBytes(), m->ToBytes());
}

TEST(Train, DefaultViewsShareAFeaturizingPassAndSurviveGarbling) {
  TrainOptions o = SmallOptions(16, 1);
  o.views = "text+word+words";  // the default: the word view is the text view's companion
  auto m = TrainIntentModel(Synthetic(40, 25), o, "three views");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->views().size(), 3u);
  EXPECT_GE(Accuracy(*m, Synthetic(30, 26)), 0.95);
  PredictScratch s;
  PredictOptions po;
  po.top_features = 8;
  for (const Example& e : Synthetic(5, 27)) {
    const Prediction p = m->Predict(e.text, po, &s);
    EXPECT_EQ(p.labels[0].label, m->labels()[m->PredictIndex(e.text, &s)]);
    std::set<std::string> names;
    for (const FeatureContribution& f : p.features) EXPECT_TRUE(names.insert(f.feature).second);
  }
  const std::string bytes = m->ToBytes();
  std::mt19937_64 rng(31);
  for (int round = 0; round < 100; ++round) {
    std::string b = bytes;
    for (int k = 0; k < 3; ++k) b[20 + rng() % (b.size() - 24)] = static_cast<char>(rng());
    const uint32_t crc = Crc32(absl::string_view(b).substr(0, b.size() - 4));
    for (int i = 0; i < 4; ++i) b[b.size() - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
    auto g = IntentModel::FromBytes(b);
    if (g.ok()) g->Predict("lost card", po);
  }
}

TEST(Predict, WithoutScratchMatchesWithScratch) {
  auto m = TrainIntentModel(Synthetic(20, 23), SmallOptions(16, 1));
  ASSERT_TRUE(m.ok());
  PredictScratch s;
  for (const Example& e : Synthetic(5, 24)) {
    const Prediction a = m->Predict(e.text, {}, &s);
    const Prediction b = m->Predict(e.text);
    ASSERT_EQ(a.labels.size(), b.labels.size());
    for (size_t i = 0; i < a.labels.size(); ++i) {
      EXPECT_EQ(a.labels[i].label, b.labels[i].label);
      EXPECT_EQ(a.labels[i].probability, b.labels[i].probability);
    }
    EXPECT_EQ(a.labels[0].label, m->labels()[m->PredictIndex(e.text, &s)]);
  }
}

}  // namespace
}  // namespace omniroute::classification::model
