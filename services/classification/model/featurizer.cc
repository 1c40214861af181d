#include "services/classification/model/featurizer.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "services/classification/model/radix_sort.h"

namespace omniroute::classification::model {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence at text[i], or 0 when the bytes there are not one
// (overlong forms, surrogates and code points above U+10FFFF are invalid too).
size_t Utf8Length(absl::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  const auto second = static_cast<unsigned char>(text[i + 1]);
  if (second < lo || second > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (!IsContinuation(static_cast<unsigned char>(text[i + k]))) return 0;
  }
  return len;
}

enum class CharClass { kWord, kBreak, kDrop };

CharClass ClassifyUtf8(absl::string_view seq) {
  const auto b0 = static_cast<unsigned char>(seq[0]);
  const auto b1 = static_cast<unsigned char>(seq[1]);
  if (seq.size() == 2 && b0 == 0xC2 && b1 >= 0xA0) return CharClass::kBreak;  // U+00A0..U+00BF
  if (seq.size() == 3 && b0 == 0xE2 && (b1 == 0x80 || b1 == 0x81)) {          // U+2000..U+207F
    const auto b2 = static_cast<unsigned char>(seq[2]);
    if (b1 == 0x80 && (b2 == 0x98 || b2 == 0x99)) return CharClass::kDrop;  // curly apostrophes
    return CharClass::kBreak;
  }
  if (seq == "\xE3\x80\x80") return CharClass::kBreak;  // ideographic space
  return CharClass::kWord;
}

void AddBreak(std::string* out) {
  if (out->back() != ' ') out->push_back(' ');
}

}  // namespace

absl::Status ValidateFeaturizerConfig(const FeaturizerConfig& c) {
  if (c.hash_bits < 8 || c.hash_bits > 24) {
    return absl::InvalidArgumentError(absl::StrCat("hash_bits ", c.hash_bits, " not in 8..24"));
  }
  if (c.word_ngram_max < 0 || c.word_ngram_max > 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("word_ngram_max ", c.word_ngram_max, " not in 0..8"));
  }
  if (c.char_ngram_max != 0 || c.char_ngram_min != 0) {
    if (c.char_ngram_min < 1 || c.char_ngram_max > 8 || c.char_ngram_min > c.char_ngram_max) {
      return absl::InvalidArgumentError(absl::StrCat("character n-grams ", c.char_ngram_min, "..",
                                                     c.char_ngram_max,
                                                     " invalid (want 1 <= min <= max <= 8)"));
    }
  }
  if (c.word_ngram_max == 0 && c.char_ngram_max == 0) {
    return absl::InvalidArgumentError("neither word nor character n-grams are enabled");
  }
  if (c.pair_window < 0 || c.pair_window > 16) {
    return absl::InvalidArgumentError(absl::StrCat("pair_window ", c.pair_window, " not in 0..16"));
  }
  // Bounded (as omniroute-model's flags are): a denormal weight made the L2 normalisation
  // divide by ~0, and features infinite.
  if (!(c.word_weight >= 1e-3f && c.word_weight <= 1e3f) ||
      !(c.char_weight >= 1e-3f && c.char_weight <= 1e3f)) {
    return absl::InvalidArgumentError("block weights must be in [0.001, 1000]");
  }
  return absl::OkStatus();
}

namespace {

constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t FnvStart(uint8_t seed) { return (0xcbf29ce484222325ULL ^ seed) * kFnvPrime; }

uint64_t FnvAdd(uint64_t h, absl::string_view bytes) {
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return h;
}

uint64_t Finalize(uint64_t h) {
  // FNV's low and high bits mix poorly for short inputs; this finaliser (MurmurHash3's fmix64
  // constants) makes every output bit depend on every input bit, so the top bits can be used
  // as the bucket.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

uint64_t HashBytes(uint8_t seed, absl::string_view bytes) {
  return Finalize(FnvAdd(FnvStart(seed), bytes));
}

uint64_t HashPair(uint8_t seed, absl::string_view first, absl::string_view second) {
  return Finalize(
      FnvAdd(FnvAdd(FnvAdd(FnvStart(seed), first), absl::string_view("\0", 1)), second));
}

Featurizer::Featurizer(const FeaturizerConfig& config) : config_(config) {
  for (size_t block = 0; block < 2; ++block) {
    for (size_t c = 0; c < kCountedRuns; ++c) run_value_[block][c] = RunValue(block, c);
  }
}

float Featurizer::RunValue(size_t block, size_t count) const {
  double tf = static_cast<double>(count);
  if (config_.sublinear_tf && count > 1) tf = 1.0 + std::log(tf);
  const double weight = block == 1 ? config_.char_weight : config_.word_weight;
  return static_cast<float>(tf * weight);
}

void Featurizer::Normalize(absl::string_view text, std::string* out) {
  out->clear();
  out->reserve(text.size() + 2);
  out->push_back(' ');
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      if (c >= 'A' && c <= 'Z') {
        out->push_back(static_cast<char>(c - 'A' + 'a'));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out->push_back(static_cast<char>(c));
      } else if (c != '\'') {
        AddBreak(out);
      }
      continue;
    }
    const size_t len = Utf8Length(text, i);
    if (len == 0) {
      AddBreak(out);
      ++i;
      continue;
    }
    const absl::string_view seq = text.substr(i, len);
    i += len;
    switch (ClassifyUtf8(seq)) {
      case CharClass::kWord:
        out->append(seq.data(), seq.size());
        break;
      case CharClass::kBreak:
        AddBreak(out);
        break;
      case CharClass::kDrop:
        break;
    }
  }
  AddBreak(out);
}

std::string Featurizer::Normalize(absl::string_view text) {
  std::string out;
  Normalize(text, &out);
  return out;
}

uint32_t Featurizer::Bucket(uint8_t kind, absl::string_view text) const {
  return static_cast<uint32_t>(HashBytes(kind, text) >> (64 - config_.hash_bits));
}

uint32_t Featurizer::PairBucket(absl::string_view first, absl::string_view second) const {
  return static_cast<uint32_t>(HashPair(kPairKind, first, second) >> (64 - config_.hash_bits));
}

void L2Normalize(std::vector<SparseFeature>* features) {
  double norm2 = 0;
  for (const SparseFeature& f : *features) norm2 += static_cast<double>(f.value) * f.value;
  if (norm2 > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(norm2));
    for (SparseFeature& f : *features) f.value *= inv;
  }
}

void Featurizer::Featurize(absl::string_view text, FeaturizerScratch* s,
                           std::vector<SparseFeature>* out) const {
  FeaturizeUnnormalized(text, s, out);
  L2Normalize(out);
}

void Featurizer::FeaturizeUnnormalized(absl::string_view text, FeaturizerScratch* s,
                                       std::vector<SparseFeature>* out, bool record_ngrams,
                                       FeaturizerScratch* in_words,
                                       std::vector<SparseFeature>* in_words_out) const {
  out->clear();
  Normalize(text, &s->normalized);
  // The companion view (see featurizer.h) only with character n-grams across words.
  if (!config_.char_across_words) in_words = nullptr;
  if (in_words != nullptr) {
    in_words->normalized = s->normalized;
    in_words->ngrams.clear();
  }
  const std::string& norm = s->normalized;
  const absl::string_view view(norm);

  s->token_begin.clear();
  s->token_end.clear();
  for (uint32_t i = 1; i < norm.size(); ++i) {
    if (norm[i] != ' ' && norm[i - 1] == ' ') s->token_begin.push_back(i);
    if (norm[i] == ' ' && norm[i - 1] != ' ') s->token_end.push_back(i);
  }
  const size_t num_tokens = s->token_begin.size();

  // Count occurrences per (bucket, block): the key keeps the two blocks apart so that each gets
  // its own weight even when a word and a character n-gram share a bucket.
  // Keys bucket * 2 + block (1 = characters) fit in 32 bits (hash_bits <= 24), and sorting plain
  // integers is several times faster than sorting structs with a comparator. With the companion
  // view, one more low bit says whether the n-gram is also one of the companion's, and the one
  // sort serves both views (see CountKeys).
  std::vector<uint32_t>& keys = s->keys;
  keys.clear();
  s->ngrams.clear();
  const int companion_bit = in_words != nullptr ? 1 : 0;
  // `in_word`: the n-gram is also one of the companion view's.
  auto record = [&](const NgramRef& ref, bool in_word = true) {
    const uint32_t key = (ref.bucket << 1 | (ref.kind == kCharKind)) << companion_bit |
                         static_cast<uint32_t>(companion_bit & in_word);
    keys.push_back(key);
    if (record_ngrams) {
      s->ngrams.push_back(ref);
      if (in_words != nullptr && in_word) in_words->ngrams.push_back(ref);
    }
  };
  auto add = [&](uint8_t kind, uint32_t offset, uint32_t length) {
    NgramRef ref;
    ref.offset = offset;
    ref.length = length;
    ref.kind = kind;
    ref.bucket = Bucket(kind, view.substr(offset, length));
    record(ref);
  };

  for (int n = 1; n <= config_.word_ngram_max; ++n) {
    for (size_t t = 0; t + n <= num_tokens; ++t) {
      add(static_cast<uint8_t>(kWordKind + n - 1), s->token_begin[t],
          s->token_end[t + n - 1] - s->token_begin[t]);
    }
  }
  if (config_.pair_window >= 2) {
    for (size_t t = 0; t < num_tokens; ++t) {
      const absl::string_view a =
          view.substr(s->token_begin[t], s->token_end[t] - s->token_begin[t]);
      for (size_t u = t + 2; u < num_tokens && u <= t + config_.pair_window; ++u) {
        const absl::string_view b =
            view.substr(s->token_begin[u], s->token_end[u] - s->token_begin[u]);
        // Unordered: the smaller word first, so "card ... lost" meets "lost ... card".
        const bool swap = b < a;
        NgramRef ref;
        ref.kind = kPairKind;
        ref.offset = swap ? s->token_begin[u] : s->token_begin[t];
        ref.length = static_cast<uint32_t>(swap ? b.size() : a.size());
        ref.offset2 = swap ? s->token_begin[t] : s->token_begin[u];
        ref.length2 = static_cast<uint32_t>(swap ? a.size() : b.size());
        ref.bucket = PairBucket(swap ? b : a, swap ? a : b);
        record(ref);
      }
    }
  }
  if (config_.char_ngram_max > 0) {
    const size_t spans = config_.char_across_words ? (num_tokens > 0 ? 1 : 0) : num_tokens;
    for (size_t t = 0; t < spans; ++t) {
      // Code point starts of the word padded with the spaces around it (or of the whole text),
      // plus the end.
      s->char_pos.clear();
      const uint32_t begin = config_.char_across_words ? 0 : s->token_begin[t] - 1;
      const uint32_t end =
          config_.char_across_words ? static_cast<uint32_t>(norm.size()) : s->token_end[t] + 1;
      for (uint32_t i = begin; i < end; ++i) {
        if (!IsContinuation(static_cast<unsigned char>(norm[i]))) s->char_pos.push_back(i);
      }
      s->char_pos.push_back(end);
      const int m = static_cast<int>(s->char_pos.size()) - 1;
      // All the n-grams starting at one position extend one another, so one FNV pass over the
      // longest gives every shorter one's hash on the way (the same values as hashing each).
      const int shift = 64 - config_.hash_bits;
      for (int j = 0; j < m; ++j) {
        uint64_t h = FnvStart(kCharKind);
        const int longest = std::min(config_.char_ngram_max, m - j);
        // Inside one padded word (" card "): no space but at the ends. These are exactly the
        // n-grams the same config with character n-grams inside words would give.
        bool in_word = true;
        for (int n = 1; n <= longest; ++n) {
          const uint32_t from = s->char_pos[j + n - 1], to = s->char_pos[j + n];
          if (n >= 3 && norm[s->char_pos[j + n - 2]] == ' ') in_word = false;
          h = FnvAdd(h, view.substr(from, to - from));
          if (n < config_.char_ngram_min) continue;
          // A lone space says nothing about the words.
          if (n == 1 && norm[s->char_pos[j]] == ' ') continue;
          NgramRef ref;
          ref.offset = s->char_pos[j];
          ref.length = to - s->char_pos[j];
          ref.kind = kCharKind;
          ref.bucket = static_cast<uint32_t>(Finalize(h) >> shift);
          record(ref, in_word);
        }
      }
    }
  }

  RadixSortByBits(0, config_.hash_bits + 1 + companion_bit, &keys, &s->keys_tmp);
  CountKeys(keys, companion_bit, /*companion_only=*/false, &s->keys_tmp, out);
  if (in_words != nullptr) {
    CountKeys(keys, 1, /*companion_only=*/true, &s->keys_tmp, in_words_out);
  }
}

void Featurizer::CountKeys(const std::vector<uint32_t>& keys, int companion_bit,
                           bool companion_only, std::vector<uint32_t>* starts,
                           std::vector<SparseFeature>* out) const {
  // The runs of equal keys, without a branch per key (run lengths are irregular, so a loop that
  // branches on "same as the last key" mispredicts about once a run). The companion's runs are
  // runs of equal whole keys whose companion bit is set (they sort after the others of their
  // bucket and block); the view's own are runs of the same bucket and block.
  const int shift = companion_only ? 0 : companion_bit;
  const size_t n = keys.size();
  const uint32_t* k = keys.data();
  starts->resize(n + 1);
  uint32_t* run = starts->data();
  size_t runs = 0;
  for (size_t i = 0; i < n; ++i) {
    run[runs] = static_cast<uint32_t>(i);
    runs += static_cast<size_t>(i == 0 || (k[i] >> shift) != (k[i - 1] >> shift));
  }
  run[runs] = static_cast<uint32_t>(n);
  out->resize(runs);
  SparseFeature* f = out->data();
  size_t used = 0;
  uint32_t last = ~uint32_t{0};  // the bucket of f[used - 1] (buckets are below 2^24)
  for (size_t r = 0; r < runs; ++r) {
    const uint32_t full = k[run[r]];
    const uint32_t key = full >> companion_bit;  // bucket * 2 + block
    const size_t count = run[r + 1] - run[r];
    const float value =
        count < kCountedRuns ? run_value_[key & 1][count] : RunValue(key & 1, count);
    const uint32_t bucket = key >> 1;
    const bool keep = !companion_only || (full & 1) != 0;
    // A word and a character n-gram in the same bucket (rare) share one feature.
    if (keep & (bucket == last)) {
      f[used - 1].value += value;
      continue;
    }
    f[used] = SparseFeature{bucket, value};
    used += static_cast<size_t>(keep);
    last = keep ? bucket : last;
  }
  out->resize(used);
}

std::string Featurizer::NgramName(const FeaturizerScratch& scratch, const NgramRef& ngram) {
  std::string text = scratch.normalized.substr(ngram.offset, ngram.length);
  if (ngram.kind == kPairKind) {
    return absl::StrCat(
        "p:", absl::string_view(scratch.normalized).substr(ngram.offset, ngram.length), "+",
        absl::string_view(scratch.normalized).substr(ngram.offset2, ngram.length2));
  }
  if (ngram.kind == kCharKind) {
    std::replace(text.begin(), text.end(), ' ', '_');
    return absl::StrCat("c:", text);
  }
  return absl::StrCat("w:", text);
}

}  // namespace omniroute::classification::model
