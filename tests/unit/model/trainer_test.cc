#include "services/classification/model/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace omniroute::classification::model {
namespace {

std::vector<Example> Labelled(const std::map<std::string, int>& counts) {
  std::vector<Example> out;
  for (const auto& [label, n] : counts) {
    for (int i = 0; i < n; ++i) out.push_back(Example{label + " " + std::to_string(i), label, 0});
  }
  return out;
}

TEST(StratifiedSplit, HoldsOutTheFractionOfEveryLabel) {
  const auto data = Labelled({{"a", 100}, {"b", 40}, {"c", 5}, {"d", 1}});
  const Split s = StratifiedSplit(data, 0.2, 42);
  std::map<std::string, int> held;
  for (size_t i : s.holdout) ++held[data[i].label];
  EXPECT_EQ(held["a"], 20);
  EXPECT_EQ(held["b"], 8);
  EXPECT_EQ(held["c"], 1);
  EXPECT_EQ(held["d"], 0);  // a label never loses its only example
  EXPECT_EQ(s.train.size() + s.holdout.size(), data.size());
  // Deterministic for a seed, different for another.
  EXPECT_EQ(StratifiedSplit(data, 0.2, 42).holdout, s.holdout);
  EXPECT_NE(StratifiedSplit(data, 0.2, 43).holdout, s.holdout);
}

TEST(StratifiedSplit, ZeroHoldsOutNothing) {
  const auto data = Labelled({{"a", 10}, {"b", 3}});
  const Split s = StratifiedSplit(data, 0, 1);
  EXPECT_TRUE(s.holdout.empty());
  EXPECT_EQ(s.train.size(), data.size());
}

TEST(StratifiedFolds, BalancesEveryLabelAcrossFolds) {
  const auto data = Labelled({{"a", 50}, {"b", 25}});
  const std::vector<int> fold = StratifiedFolds(data, 5, 7);
  std::map<std::pair<std::string, int>, int> count;
  for (size_t i = 0; i < data.size(); ++i) ++count[{data[i].label, fold[i]}];
  for (int f = 0; f < 5; ++f) {
    EXPECT_EQ((count[{"a", f}]), 10);
    EXPECT_EQ((count[{"b", f}]), 5);
  }
}

TEST(SeededShuffle, IsAPermutationAndDeterministic) {
  std::vector<size_t> a(100), b;
  for (size_t i = 0; i < a.size(); ++i) a[i] = i;
  b = a;
  std::mt19937_64 r1(5), r2(5);
  SeededShuffle(&a, &r1);
  SeededShuffle(&b, &r2);
  EXPECT_EQ(a, b);
  std::vector<size_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], i);
}

TEST(TrainIntentModel, RejectsBadOptionsAndEmptyData) {
  TrainOptions o;
  EXPECT_FALSE(TrainIntentModel({}, o).ok());
  o.epochs = 0;
  EXPECT_FALSE(TrainIntentModel(Labelled({{"a", 2}}), o).ok());
}

TEST(ViewsFromSpec, NamesViewsRelativeToTheBase) {
  FeaturizerConfig base;
  base.hash_bits = 18;
  auto views = ViewsFromSpec("text+word+words", base);
  ASSERT_TRUE(views.ok()) << views.status();
  ASSERT_EQ(views->size(), 3u);
  EXPECT_TRUE((*views)[0].char_across_words);
  EXPECT_FALSE((*views)[1].char_across_words);
  EXPECT_EQ((*views)[2].char_ngram_max, 0);
  EXPECT_EQ((*views)[2].word_ngram_max, 3);
  EXPECT_EQ((*views)[2].pair_window, 4);
  for (const FeaturizerConfig& v : *views) EXPECT_EQ(v.hash_bits, 18);
  EXPECT_THAT(std::string(ViewsFromSpec("text+chars", base).status().message()),
              ::testing::HasSubstr("'chars' is not text, word or words"));
  TrainOptions o;
  o.views = "text+";
  EXPECT_FALSE(ValidateTrainOptions(o).ok());
  o.views = "text+word+words";
  o.members = 6;
  EXPECT_THAT(std::string(ValidateTrainOptions(o).message()), ::testing::HasSubstr("at most 16"));
}

}  // namespace
}  // namespace omniroute::classification::model
