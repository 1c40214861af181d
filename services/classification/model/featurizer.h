#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace omniroute::classification::model {

// How text becomes a sparse vector. Stored in the model file: a model is always applied with
// the featurizer it was trained with.
struct FeaturizerConfig {
  int hash_bits = 20;        // n-grams are hashed into 2^hash_bits buckets
  int word_ngram_max = 2;    // word n-grams of 1..word_ngram_max words (0: none)
  int char_ngram_min = 1;    // character n-grams of char_ngram_min..char_ngram_max code points
  int char_ngram_max = 5;    // (0: none); see char_across_words
  bool sublinear_tf = true;  // a count c weighs 1 + ln(c) instead of c
  // Relative weight of the two blocks before the vector is L2-normalised: a message has ~10x
  // more character n-grams than words, so without this the words would barely count.
  float word_weight = 1.0f;
  float char_weight = 1.0f;
  // Multiply each value by the bucket's inverse document frequency in the training set,
  // ln((1 + N) / (1 + df)) + 1, before normalising: frequent n-grams ("i", "_th") then weigh
  // less than rare, telling ones. The model stores the IDF of every bucket it has a row for;
  // buckets never seen in training get the largest value (df = 0).
  bool idf = true;
  // Character n-grams run over the whole normalised text (so they span word breaks: " my card "
  // gives "y ca") rather than inside each word padded with a space each side.
  bool char_across_words = true;
  // Unordered word pairs at distance 2..pair_window (0: none), e.g. "not ... received".
  int pair_window = 0;
};

// Checks ranges (hash_bits 8..24, n-gram orders 0..8 with min <= max, weights 0.001..1000,
// at least one kind of n-gram).
absl::Status ValidateFeaturizerConfig(const FeaturizerConfig& config);

// One coordinate of a feature vector.
struct SparseFeature {
  uint32_t bucket = 0;
  float value = 0;
};

// One n-gram occurrence as a slice of the normalised text (see Featurizer::Normalize), so a
// feature can be named for explanations without storing a vocabulary.
struct NgramRef {
  uint32_t offset = 0;
  uint32_t length = 0;
  uint32_t offset2 = 0;  // the second word of a word pair (kind kPairKind)
  uint32_t length2 = 0;
  uint8_t kind = 0;  // kWordKind + n - 1 for a word n-gram of n words, kCharKind for characters
  uint32_t bucket = 0;
};

// Reusable buffers so that featurising a message does not allocate in steady state.
struct FeaturizerScratch {
  std::string normalized;
  std::vector<uint32_t> token_begin;
  std::vector<uint32_t> token_end;
  std::vector<uint32_t> char_pos;
  std::vector<NgramRef> ngrams;
  std::vector<uint32_t> keys;
  std::vector<uint32_t> keys_tmp;
};

// Turns a message into an L2-normalised sparse vector of hashed word and character n-gram
// counts. Pure and deterministic: the same text and config give the same vector on every
// platform (own hash function, no std::hash).
class Featurizer {
 public:
  static constexpr uint8_t kWordKind = 'w';  // + n - 1: 'w' unigrams, 'x' bigrams, ...
  static constexpr uint8_t kCharKind = 'c';
  static constexpr uint8_t kPairKind = 'p';

  explicit Featurizer(const FeaturizerConfig& config);

  const FeaturizerConfig& config() const { return config_; }
  uint32_t num_buckets() const { return 1u << config_.hash_bits; }

  // Lower-cases ASCII letters; drops apostrophes (' and U+2018/U+2019, so "can't" and "cant"
  // meet); turns other ASCII characters that are neither letters nor digits, Unicode spaces and
  // punctuation (U+00A0..U+00BF, U+2000..U+206F, U+3000) and invalid UTF-8 into word breaks;
  // keeps other non-ASCII characters as word characters. The result is the words joined by
  // single spaces with one space before the first and after the last word (" my card "), which
  // makes every n-gram, padded character n-grams included, a slice of it, and is valid UTF-8.
  static void Normalize(absl::string_view text, std::string* out);
  static std::string Normalize(absl::string_view text);

  // The sparse vector of `text`: sorted by bucket, one entry per bucket, L2 norm 1 (empty for a
  // text without words). `scratch` keeps the n-grams of the last call (see ngrams()).
  void Featurize(absl::string_view text, FeaturizerScratch* scratch,
                 std::vector<SparseFeature>* out) const;

  // As Featurize but without the final L2 normalisation (for IDF weighting in between); with
  // `record_ngrams` false, scratch->ngrams stays empty (saves time when nothing is explained).
  //
  // With `in_words` and `in_words_out` (and char_across_words), also gives the unnormalised
  // vector and n-grams of the same config with character n-grams inside words: those are the
  // n-grams across words that have no space but at their ends, so one pass serves both views.
  void FeaturizeUnnormalized(absl::string_view text, FeaturizerScratch* scratch,
                             std::vector<SparseFeature>* out, bool record_ngrams = true,
                             FeaturizerScratch* in_words = nullptr,
                             std::vector<SparseFeature>* in_words_out = nullptr) const;

  // Human-readable name of an n-gram of the last Featurize call on `scratch`: "w:card",
  // "w:my card", "c:_car" (the padding space shown as '_').
  static std::string NgramName(const FeaturizerScratch& scratch, const NgramRef& ngram);

  // Bucket of an n-gram given its kind and text (exposed for tests); of a word pair.
  uint32_t Bucket(uint8_t kind, absl::string_view text) const;
  uint32_t PairBucket(absl::string_view first, absl::string_view second) const;

 private:
  // Turns sorted `keys` ((bucket * 2 + block) << companion_bit | is the n-gram the companion
  // view's too) into counted features in `out`; with `companion_only` only the companion's.
  // `starts` is scratch space.
  void CountKeys(const std::vector<uint32_t>& keys, int companion_bit, bool companion_only,
                 std::vector<uint32_t>* starts, std::vector<SparseFeature>* out) const;

  // The value of `count` occurrences of an n-gram of `block` (0 words, 1 characters).
  float RunValue(size_t block, size_t count) const;

  FeaturizerConfig config_;
  // RunValue of the counts below kCountedRuns, worked out once (the same values).
  static constexpr size_t kCountedRuns = 64;
  float run_value_[2][kCountedRuns] = {};
};

// Scales `features` to L2 norm 1 (unchanged when all zero).
void L2Normalize(std::vector<SparseFeature>* features);

// 64-bit FNV-1a followed by a finaliser that spreads the bits; stable across platforms.
uint64_t HashBytes(uint8_t seed, absl::string_view bytes);
// Hash of `first`, a 0 byte, `second` (a 0 byte never occurs in normalised text).
uint64_t HashPair(uint8_t seed, absl::string_view first, absl::string_view second);

}  // namespace omniroute::classification::model
