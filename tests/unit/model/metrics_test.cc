#include "services/classification/model/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace omniroute::classification::model {
namespace {

using ::testing::HasSubstr;

TEST(Evaluation, AccuracyMacroF1AndConfusions) {
  Evaluation e({"a", "b", "c"});
  e.Add("a", "a");
  e.Add("a", "a");
  e.Add("a", "b");
  e.Add("b", "b");
  e.Add("c", "b");
  e.Add("c", "c");
  e.Add("c", "b");
  e.Add("b", "b");
  EXPECT_EQ(e.total(), 8);
  EXPECT_EQ(e.correct(), 5);
  EXPECT_DOUBLE_EQ(e.accuracy(), 5.0 / 8);
  // a: p 1, r 2/3 -> f1 0.8; b: p 2/5, r 1 -> 4/7; c: p 1, r 1/3 -> 0.5.
  EXPECT_NEAR(e.macro_f1(), (0.8 + 4.0 / 7 + 0.5) / 3, 1e-12);
  const auto pairs = e.MostConfused(10);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].truth, "c");
  EXPECT_EQ(pairs[0].predicted, "b");
  EXPECT_EQ(pairs[0].count, 2);
  EXPECT_EQ(pairs[1].truth, "a");
  const std::string report = e.Format(5);
  EXPECT_THAT(report, HasSubstr("accuracy: 0.6250\n"));
  EXPECT_THAT(report, HasSubstr("macro_f1: 0.6238\n"));
  EXPECT_THAT(report, HasSubstr("c -> b: 2"));
}

TEST(Evaluation, UnknownTrueLabelsAreErrorsAndListed) {
  Evaluation e({"a"});
  e.Add("a", "a");
  e.Add("zzz", "a");
  EXPECT_DOUBLE_EQ(e.accuracy(), 0.5);
  EXPECT_EQ(e.unknown_labels().at("zzz"), 1);
  EXPECT_THAT(e.Format(), HasSubstr("labels unknown to the model (1 rows"));
}

TEST(Evaluation, EmptyIsZero) {
  Evaluation e({"a"});
  EXPECT_EQ(e.accuracy(), 0);
  EXPECT_EQ(e.macro_f1(), 0);
  EXPECT_THAT(e.Format(), HasSubstr("accuracy: 0.0000"));
}

}  // namespace
}  // namespace omniroute::classification::model
