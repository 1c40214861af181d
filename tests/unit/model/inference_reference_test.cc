// IntentModel's prediction against a plain re-statement of the model (each view featurised on its
// own, a binary search for each bucket's row, the layers as simple loops, the same arithmetic in
// the same order): the serving path's shortcuts (the companion view featurised in the same pass,
// the row index, prefetching, the vector kernels) must not change a bit of any probability.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "services/classification/model/dense_layers.h"
#include "services/classification/model/huge_pages.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/radix_sort.h"

namespace omniroute::classification::model {
namespace {

constexpr size_t kLabels = 13;

// The default model's three views (text, its in-words companion, words and pairs) on few buckets
// (so n-grams share them), with a random half of the buckets given rows and random weights; one
// view linear, the others with hidden layers whose widths leave tail columns.
IntentModel RandomModel(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> real(-1, 1);
  ModelParts p;
  for (size_t j = 0; j < kLabels; ++j) p.labels.push_back("label" + std::to_string(j));
  FeaturizerConfig text;
  text.hash_bits = 12;
  FeaturizerConfig word = text;
  word.char_across_words = false;
  FeaturizerConfig words = text;
  words.word_ngram_max = 3;
  words.char_ngram_min = words.char_ngram_max = 0;
  words.pair_window = 4;
  const int hidden[] = {128, 40, 0};
  const FeaturizerConfig configs[] = {text, word, words};
  for (int v = 0; v < 3; ++v) {
    ModelView view;
    view.featurizer = configs[v];
    for (uint32_t b = 0; b < (1u << 12); ++b) {
      if (rng() % 2 == 0) continue;
      view.buckets.push_back(b);
      view.idf.push_back(1 + 4 * std::abs(real(rng)));
    }
    view.idf_unseen = 6;
    ModelMember m;
    m.hidden = hidden[v];
    const size_t width = m.hidden > 0 ? static_cast<size_t>(m.hidden) : kLabels;
    m.weights.resize(view.buckets.size() * width);
    for (int8_t& w : m.weights) w = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
    for (size_t r = 0; r < view.buckets.size(); ++r)
      m.row_scale.push_back(0.01f + std::abs(real(rng)) / 50);
    for (size_t j = 0; j < kLabels; ++j) m.bias.push_back(real(rng));
    for (int u = 0; u < m.hidden; ++u) m.hidden_bias.push_back(real(rng) / 4);
    for (size_t i = 0; i < static_cast<size_t>(m.hidden) * kLabels; ++i) {
      m.output_weights.push_back(real(rng));
    }
    view.members.push_back(std::move(m));
    p.views.push_back(std::move(view));
  }
  p.temperature = 0.9f;
  auto model = IntentModel::Create(std::move(p));
  EXPECT_TRUE(model.ok()) << model.status();
  return *std::move(model);
}

void Softmax(float temperature, std::vector<float>* s) {
  const float max = *std::max_element(s->begin(), s->end());
  const float inv_t = 1.0f / temperature;
  double sum = 0;
  for (float& x : *s) {
    x = std::exp((x - max) * inv_t);
    sum += x;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (float& x : *s) x *= inv;
}

// The model's probabilities, restated.
std::vector<float> Reference(const IntentModel& model, const std::string& text) {
  std::vector<float> mean(kLabels, 0.0f);
  const float share = 1.0f / static_cast<float>(model.num_members());
  for (const ModelView& view : model.views()) {
    const Featurizer featurizer(view.featurizer);
    FeaturizerScratch scratch;
    std::vector<SparseFeature> features;
    featurizer.FeaturizeUnnormalized(text, &scratch, &features);
    std::vector<int32_t> rows;
    for (SparseFeature& f : features) {
      auto it = std::lower_bound(view.buckets.begin(), view.buckets.end(), f.bucket);
      const bool has_row = it != view.buckets.end() && *it == f.bucket;
      const size_t row = static_cast<size_t>(it - view.buckets.begin());
      rows.push_back(has_row ? static_cast<int32_t>(row) : -1);
      f.value *= has_row ? view.idf[row] : view.idf_unseen;
    }
    L2Normalize(&features);
    for (const ModelMember& m : view.members) {
      const size_t width = m.hidden > 0 ? static_cast<size_t>(m.hidden) : kLabels;
      std::vector<float> layer = m.hidden > 0 ? m.hidden_bias : m.bias;
      for (size_t i = 0; i < features.size(); ++i) {
        if (rows[i] < 0) continue;
        const size_t r = static_cast<size_t>(rows[i]);
        const float a = features[i].value * m.row_scale[r];
        for (size_t j = 0; j < width; ++j)
          layer[j] += a * static_cast<float>(m.weights[r * width + j]);
      }
      std::vector<float> scores = m.bias;
      if (m.hidden > 0) {
        for (size_t u = 0; u < width; ++u) {
          if (!(layer[u] > 0)) continue;
          for (size_t j = 0; j < kLabels; ++j)
            scores[j] += layer[u] * m.output_weights[u * kLabels + j];
        }
      } else {
        scores = layer;
      }
      Softmax(1, &scores);
      for (size_t j = 0; j < kLabels; ++j) mean[j] += share * scores[j];
    }
  }
  for (float& p : mean) p = p > 0 ? std::log(p) : -std::numeric_limits<float>::infinity();
  Softmax(model.temperature(), &mean);
  return mean;
}

TEST(InferenceReference, EveryProbabilityBitForBit) {
  const IntentModel model = RandomModel(5);
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "I still have not received my new card, top up! ";
  const std::string texts[] = {
      "", "card", "My card hasn't arrived yet and I ordered it three weeks ago.",
      "caf\xC3\xA9 au lait \xE2\x80\x99 1 2 3 4 5 6 7 8 9 10 11 12 13", long_text};
  for (DenseKernels kernels :
       {DenseKernels::kWidest, DenseKernels::kAvx2, DenseKernels::kPortable}) {
    SetDenseKernels(kernels);
    for (const std::string& text : texts) {
      const std::vector<float> want = Reference(model, text);
      PredictOptions all;
      all.top_labels = static_cast<int>(kLabels);
      all.top_features = 0;
      const Prediction got = model.Predict(text, all);
      ASSERT_EQ(got.labels.size(), kLabels);
      for (const LabelProbability& l : got.labels) {
        const size_t j =
            static_cast<size_t>(std::find(model.labels().begin(), model.labels().end(), l.label) -
                                model.labels().begin());
        ASSERT_LT(j, kLabels);
        EXPECT_EQ(std::memcmp(&l.probability, &want[j], sizeof(float)), 0)
            << text.substr(0, 40) << ": " << l.label << " " << l.probability << " vs " << want[j];
      }
      PredictScratch scratch;
      EXPECT_EQ(model.PredictIndex(text, &scratch),
                std::max_element(want.begin(), want.end()) - want.begin());
    }
  }
  SetDenseKernels(DenseKernels::kWidest);
}

TEST(RadixSortByBits, SortsLikeStdSort) {
  std::mt19937_64 rng(3);
  for (size_t n : {0, 1, 63, 64, 65, 1000, 5000}) {
    for (int bits : {8, 21, 22, 26}) {
      std::vector<uint32_t> keys(n), tmp;
      const int spread = std::min(bits, 12);  // few distinct keys: many equal ones
      for (uint32_t& k : keys) k = static_cast<uint32_t>(rng() % (1u << spread)) << (bits - spread);
      std::vector<uint32_t> want = keys;
      std::sort(want.begin(), want.end());
      RadixSortByBits(0, bits, &keys, &tmp);
      EXPECT_EQ(keys, want) << "n " << n << " bits " << bits;
    }
    // By a middle field of 64-bit keys, stably.
    std::vector<uint64_t> keys(n), tmp;
    for (uint64_t& k : keys) k = rng() & 0x00FFFFFF000000FFull;
    std::vector<uint64_t> want = keys;
    std::stable_sort(want.begin(), want.end(),
                     [](uint64_t a, uint64_t b) { return a >> 32 < b >> 32; });
    RadixSortByBits(32, 24, &keys, &tmp);
    EXPECT_EQ(keys, want) << "n " << n;
  }
}

TEST(HugePageAllocator, LargeBlocksAreAlignedToHugePages) {
  std::vector<int8_t, HugePageAllocator<int8_t>> big(5 << 20, 7), small(1000, 7);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % (2 << 20), 0u);
  EXPECT_EQ(big[(5 << 20) - 1], 7);
  EXPECT_EQ(small[999], 7);
  big.resize(9 << 20, 1);  // grows through a new block
  EXPECT_EQ(big[0], 7);
  EXPECT_EQ(big[(9 << 20) - 1], 1);
}

}  // namespace
}  // namespace omniroute::classification::model
