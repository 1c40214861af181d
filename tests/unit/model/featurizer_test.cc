#include "services/classification/model/featurizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace omniroute::classification::model {
namespace {

using ::testing::Contains;
using ::testing::Not;

TEST(Normalize, LowercasesJoinsApostrophesAndBreaksOnPunctuation) {
  EXPECT_EQ(Featurizer::Normalize("Can't  find my CARD!!"), " cant find my card ");
  EXPECT_EQ(Featurizer::Normalize("can\xE2\x80\x99t"), " cant ");  // U+2019
  EXPECT_EQ(Featurizer::Normalize("top-up, 100$"), " top up 100 ");
  EXPECT_EQ(Featurizer::Normalize(""), " ");
  EXPECT_EQ(Featurizer::Normalize("?!"), " ");
}

TEST(Normalize, KeepsNonAsciiLettersAndDropsInvalidUtf8) {
  EXPECT_EQ(Featurizer::Normalize("caf\xC3\xA9 ok"), " caf\xC3\xA9 ok ");
  EXPECT_EQ(Featurizer::Normalize("a\xC2\xA0"
                                  "b"),
            " a b ");  // no-break space
  EXPECT_EQ(Featurizer::Normalize("a\xE2\x80\x94"
                                  "b"),
            " a b ");  // em dash
  EXPECT_EQ(Featurizer::Normalize("a\xFF"
                                  "b\xC3"),
            " a b ");                                        // invalid bytes
  EXPECT_EQ(Featurizer::Normalize("\xED\xA0\x80x"), " x ");  // a surrogate is invalid
}

TEST(HashBytes, IsPinned) {
  // Saved models depend on these exact values: changing the hash breaks every model file.
  EXPECT_EQ(HashBytes('w', "card"), HashBytes('w', "card"));
  EXPECT_NE(HashBytes('w', "card"), HashBytes('c', "card"));
  EXPECT_EQ(HashBytes('w', "card"), 0x2cd6e7ccca9ebf7fULL) << std::hex << HashBytes('w', "card");
}

FeaturizerConfig WordsOnly() {
  FeaturizerConfig c;
  c.word_ngram_max = 2;
  c.char_ngram_min = 0;
  c.char_ngram_max = 0;
  return c;
}

std::set<std::string> Names(const Featurizer& f, absl::string_view text) {
  FeaturizerScratch s;
  std::vector<SparseFeature> out;
  f.Featurize(text, &s, &out);
  std::set<std::string> names;
  for (const NgramRef& g : s.ngrams) names.insert(Featurizer::NgramName(s, g));
  return names;
}

TEST(Featurizer, WordUnigramsAndBigrams) {
  Featurizer f(WordsOnly());
  EXPECT_EQ(Names(f, "My card, lost"),
            (std::set<std::string>{"w:my", "w:card", "w:lost", "w:my card", "w:card lost"}));
}

TEST(Featurizer, CharacterNgramsInsidePaddedWords) {
  FeaturizerConfig c;
  c.word_ngram_max = 1;
  c.char_ngram_min = 2;
  c.char_ngram_max = 5;
  c.char_across_words = false;
  Featurizer f(c);
  // " ab " gives " a", "ab", "b ", " ab", "ab ", " ab " and the word itself.
  EXPECT_EQ(Names(f, "ab"),
            (std::set<std::string>{"w:ab", "c:_a", "c:ab", "c:b_", "c:_ab", "c:ab_", "c:_ab_"}));
}

TEST(Featurizer, CharacterNgramsAcrossWordsAndPairs) {
  FeaturizerConfig c;
  c.word_ngram_max = 1;
  c.char_ngram_min = 3;
  c.char_ngram_max = 3;
  c.char_across_words = true;
  c.pair_window = 2;
  Featurizer f(c);
  const std::set<std::string> names = Names(f, "a b c");
  EXPECT_THAT(names, Contains("c:a_b"));
  EXPECT_THAT(names, Contains("p:a+c"));       // distance 2
  EXPECT_THAT(names, Not(Contains("p:a+b")));  // adjacent words are bigrams' business
  // Unordered: "c ... a" is the same pair as "a ... c".
  EXPECT_THAT(Names(f, "c b a"), Contains("p:a+c"));
}

TEST(Featurizer, CodePointCharacterNgramsStayValidUtf8) {
  FeaturizerConfig c;
  c.word_ngram_max = 1;
  c.char_ngram_min = 1;
  c.char_ngram_max = 2;
  c.char_across_words = false;
  Featurizer f(c);
  EXPECT_THAT(Names(f, "\xC3\xA9t\xC3\xA9"), Contains("c:\xC3\xA9t"));
  EXPECT_THAT(Names(f, "\xC3\xA9t\xC3\xA9"), Contains("c:\xC3\xA9_"));
}

TEST(Featurizer, VectorIsSortedUniqueAndUnitLength) {
  Featurizer f{FeaturizerConfig{}};
  FeaturizerScratch s;
  std::vector<SparseFeature> v;
  f.Featurize("I still haven't received my new card, card card!", &s, &v);
  ASSERT_FALSE(v.empty());
  double norm2 = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(v[i - 1].bucket, v[i].bucket);
    }
    EXPECT_LT(v[i].bucket, f.num_buckets());
    EXPECT_GT(v[i].value, 0);
    norm2 += v[i].value * v[i].value;
  }
  EXPECT_NEAR(norm2, 1.0, 1e-5);
  // Same text, same vector (and the scratch can be reused).
  std::vector<SparseFeature> again;
  f.Featurize("I still haven't received my new card, card card!", &s, &again);
  ASSERT_EQ(again.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(again[i].bucket, v[i].bucket);
    EXPECT_EQ(again[i].value, v[i].value);
  }
}

TEST(Featurizer, SublinearTfDampsRepeats) {
  FeaturizerConfig c = WordsOnly();
  c.word_ngram_max = 1;
  Featurizer f(c);
  FeaturizerScratch s;
  std::vector<SparseFeature> v;
  f.FeaturizeUnnormalized("card card card lost", &s, &v);
  ASSERT_EQ(v.size(), 2u);
  const uint32_t card = f.Bucket(Featurizer::kWordKind, "card");
  for (const SparseFeature& x : v) {
    EXPECT_FLOAT_EQ(x.value, x.bucket == card ? 1 + std::log(3.0f) : 1.0f);
  }
}

TEST(Featurizer, EmptyTextHasNoFeatures) {
  Featurizer f{FeaturizerConfig{}};
  FeaturizerScratch s;
  std::vector<SparseFeature> v{{1, 1}};
  f.Featurize(" ?! ", &s, &v);
  EXPECT_TRUE(v.empty());
}

TEST(ValidateFeaturizerConfig, RejectsBadRanges) {
  EXPECT_TRUE(ValidateFeaturizerConfig(FeaturizerConfig{}).ok());
  FeaturizerConfig c;
  c.hash_bits = 30;
  EXPECT_FALSE(ValidateFeaturizerConfig(c).ok());
  c = FeaturizerConfig{};
  c.char_ngram_min = 5;
  c.char_ngram_max = 3;
  EXPECT_FALSE(ValidateFeaturizerConfig(c).ok());
  c = FeaturizerConfig{};
  c.word_ngram_max = 0;
  c.char_ngram_min = c.char_ngram_max = 0;
  EXPECT_FALSE(ValidateFeaturizerConfig(c).ok());
  c = FeaturizerConfig{};
  c.word_weight = -1;
  EXPECT_FALSE(ValidateFeaturizerConfig(c).ok());
}

TEST(Featurizer, OnePassGivesTheInWordsViewToo) {
  FeaturizerConfig across;
  across.hash_bits = 16;
  FeaturizerConfig inside = across;
  inside.char_across_words = false;
  const Featurizer a(across), w(inside);
  for (const char* text : {"", "a", "My card hasn't arrived yet!", "  x  yz  ",
                           "caf\xC3\xA9 au lait", "top up top up top up", "1 2 3 4 5 6 7 8 9"}) {
    FeaturizerScratch s, companion, alone;
    std::vector<SparseFeature> out, in_words, expected;
    a.FeaturizeUnnormalized(text, &s, &out, true, &companion, &in_words);
    w.FeaturizeUnnormalized(text, &alone, &expected);
    ASSERT_EQ(in_words.size(), expected.size()) << text;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(in_words[i].bucket, expected[i].bucket) << text;
      EXPECT_EQ(in_words[i].value, expected[i].value) << text;
    }
    EXPECT_EQ(companion.ngrams.size(), alone.ngrams.size()) << text;
    std::vector<SparseFeature> plain;
    a.FeaturizeUnnormalized(text, &alone, &plain);
    ASSERT_EQ(out.size(), plain.size()) << text;
    for (size_t i = 0; i < plain.size(); ++i) {
      EXPECT_EQ(out[i].bucket, plain[i].bucket) << text;
      EXPECT_EQ(out[i].value, plain[i].value) << text;
    }
  }
}

// Long texts (the radix sort's path), counts past the 1 + ln(c) table, few buckets (words and
// characters share buckets; n-grams inside and across words share runs of the sorted keys): the
// vector is what counting the recorded n-grams one by one gives, for the view and its companion.
TEST(Featurizer, CountsMatchTheRecordedNgrams) {
  std::string repeats;
  for (int i = 0; i < 70; ++i) repeats += "top up ";
  const std::string texts[] = {
      repeats, "My card hasn't arrived yet and I ordered it three weeks ago, what should I do?",
      "caf\xC3\xA9 au lait " + repeats + " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"};
  for (int hash_bits : {8, 20}) {
    FeaturizerConfig across;
    across.hash_bits = hash_bits;
    across.word_weight = 0.5f;  // the two blocks weigh differently
    const Featurizer f(across);
    for (const std::string& text : texts) {
      FeaturizerScratch s, companion;
      std::vector<SparseFeature> out, in_words;
      f.FeaturizeUnnormalized(text, &s, &out, true, &companion, &in_words);
      for (const auto& [scratch, got] : {std::pair{&s, &out}, std::pair{&companion, &in_words}}) {
        std::map<uint32_t, std::pair<int, int>> counts;  // bucket -> word, character occurrences
        for (const NgramRef& g : scratch->ngrams) {
          auto& c = counts[g.bucket];
          (g.kind == Featurizer::kCharKind ? c.second : c.first) += 1;
        }
        auto tf = [](int c) { return c > 1 ? 1.0 + std::log(static_cast<double>(c)) : c; };
        ASSERT_EQ(got->size(), counts.size()) << text;
        size_t i = 0;
        for (const auto& [bucket, c] : counts) {
          float want = 0;
          if (c.first > 0) want = static_cast<float>(tf(c.first) * 0.5f);
          if (c.second > 0) {
            const float chars = static_cast<float>(tf(c.second) * 1.0f);
            want = c.first > 0 ? want + chars : chars;
          }
          EXPECT_EQ((*got)[i].bucket, bucket) << text;
          EXPECT_EQ((*got)[i].value, want) << text << " bucket " << bucket;
          ++i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace omniroute::classification::model
