#include "services/classification/model/intent_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "services/classification/model/dense_layers.h"
#include "services/classification/model/model_validation.h"

namespace omniroute::classification::model {
namespace {

// softmax(scores / temperature) in place.
void SoftmaxInPlace(float temperature, std::vector<float>* scores) {
  float max = -std::numeric_limits<float>::infinity();
  for (float s : *scores) max = std::max(max, s);
  const float inv_t = 1.0f / temperature;
  double sum = 0;
  for (float& s : *scores) {
    s = std::exp((s - max) * inv_t);
    sum += s;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (float& s : *scores) s *= inv;
}

bool SameFeaturizer(const FeaturizerConfig& a, const FeaturizerConfig& b) {
  return a.hash_bits == b.hash_bits && a.word_ngram_max == b.word_ngram_max &&
         a.char_ngram_min == b.char_ngram_min && a.char_ngram_max == b.char_ngram_max &&
         a.sublinear_tf == b.sublinear_tf && a.word_weight == b.word_weight &&
         a.char_weight == b.char_weight && a.idf == b.idf &&
         a.char_across_words == b.char_across_words && a.pair_window == b.pair_window;
}

}  // namespace

IntentModel::RowIndex::RowIndex(const std::vector<uint32_t>& buckets, const std::vector<float>& idf,
                                float idf_unseen, int hash_bits)
    : unseen_(idf.empty() ? 1.0f : idf_unseen) {
  words_.resize(std::max<size_t>(1, (size_t{1} << hash_bits) / 64));
  for (size_t r = 0; r < buckets.size(); ++r) {
    words_[buckets[r] >> 6].bits |= uint64_t{1} << (buckets[r] & 63);
  }
  uint32_t rows = 0;
  for (Word& w : words_) {
    w.rank = rows;
    rows += PopCount(w.bits);
  }
  idf_ = idf.empty() ? std::vector<float>(buckets.size(), 1.0f) : idf;
  if (idf_.empty()) idf_.push_back(1.0f);
}

absl::StatusOr<IntentModel> IntentModel::Create(ModelParts p) {
  if (absl::Status s = ValidateModelParts(p); !s.ok()) return s;
  size_t members = 0;
  for (const ModelView& v : p.views) members += v.members.size();
  IntentModel m;
  m.parts_ = std::move(p);
  m.num_members_ = members;
  // A view whose featurizer differs from an earlier one's only by character n-grams inside
  // words is featurised in the same pass (see Featurizer::FeaturizeUnnormalized).
  const std::vector<ModelView>& views = m.parts_.views;
  m.companion_.assign(views.size(), -1);
  m.derived_.assign(views.size(), false);
  for (size_t c = 0; c < views.size(); ++c) {
    FeaturizerConfig across = views[c].featurizer;
    if (across.char_across_words || across.char_ngram_max == 0) continue;
    across.char_across_words = true;
    for (size_t v = 0; v < views.size(); ++v) {
      if (m.companion_[v] < 0 && !m.derived_[v] && SameFeaturizer(views[v].featurizer, across)) {
        m.companion_[v] = static_cast<int>(c);
        m.derived_[c] = true;
        break;
      }
    }
  }
  for (const ModelView& v : m.parts_.views) {
    m.featurizers_.emplace_back(v.featurizer);
    m.row_of_.emplace_back(v.buckets, v.idf, v.idf_unseen, v.featurizer.hash_bits);
    m.active_offset_.push_back(m.total_hidden_);
    for (const ModelMember& member : v.members) {
      m.total_hidden_ += static_cast<size_t>(member.hidden);
    }
  }
  return m;
}

size_t IntentModel::num_rows() const {
  size_t rows = 0;
  for (const ModelView& v : parts_.views) rows += v.buckets.size();
  return rows;
}

void IntentModel::Featurize(size_t v, absl::string_view text, bool record_ngrams,
                            PredictScratch* s) const {
  ViewScratch& vs = s->views[v];
  const int companion = companion_[v];
  if (companion >= 0) {
    ViewScratch& cs = s->views[static_cast<size_t>(companion)];
    featurizers_[v].FeaturizeUnnormalized(text, &vs.featurizer, &vs.features, record_ngrams,
                                          &cs.featurizer, &cs.features);
    FinishFeatures(static_cast<size_t>(companion), s);
  } else {
    featurizers_[v].FeaturizeUnnormalized(text, &vs.featurizer, &vs.features, record_ngrams);
  }
  FinishFeatures(v, s);
}

void IntentModel::FinishFeatures(size_t v, PredictScratch* s) const {
  ViewScratch& vs = s->views[v];
  const RowIndex& row_of = row_of_[v];
  const size_t n = vs.features.size();
  vs.rows.resize(n);
  // The index and the weight rows are scattered reads, few of them in the cache when the machine
  // is busy: ask for the index word a few features ahead, and for each row and its scale (into
  // the L2 cache) as soon as it is known, so the misses overlap instead of coming one by one.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < n && i < kAhead; ++i) row_of.Prefetch(vs.features[i].bucket);
  const std::vector<ModelMember>& members = parts_.views[v].members;
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) row_of.Prefetch(vs.features[i + kAhead].bucket);
    const RowIndex::Entry e = row_of.Find(vs.features[i].bucket);
    vs.rows[i] = e.row;
    vs.features[i].value *= e.idf;  // 1 without IDF
    if (e.row >= 0) {
      for (const ModelMember& m : members) {
        const size_t width = m.hidden > 0 ? static_cast<size_t>(m.hidden) : parts_.labels.size();
        const int8_t* row = m.weights.data() + static_cast<size_t>(e.row) * width;
        for (size_t line = 0; line < width; line += 64) __builtin_prefetch(row + line, 0, 2);
        __builtin_prefetch(&m.row_scale[static_cast<size_t>(e.row)], 0, 2);
      }
    }
  }
  L2Normalize(&vs.features);
}

void IntentModel::MemberScores(const ModelMember& m, const ViewScratch& vs, size_t active_offset,
                               PredictScratch* s) const {
  const size_t k = parts_.labels.size();
  s->member_scores.assign(m.bias.begin(), m.bias.end());
  float* scores = s->member_scores.data();
  const size_t n = vs.features.size();
  if (m.hidden == 0) {
    AddWeightedRowsInt8(vs.features.data(), vs.rows.data(), n, m.weights.data(), m.row_scale.data(),
                        k, scores);
    return;
  }
  const size_t hsize = static_cast<size_t>(m.hidden);
  s->hidden.assign(m.hidden_bias.begin(), m.hidden_bias.end());
  float* h = s->hidden.data();
  AddWeightedRowsInt8(vs.features.data(), vs.rows.data(), n, m.weights.data(), m.row_scale.data(),
                      hsize, h);
  AddActiveUnits(h, hsize, m.output_weights.data(), k, scores, s->active.data() + active_offset);
}

void IntentModel::Probabilities(absl::string_view text, PredictScratch* s) const {
  Probabilities(text, /*record_ngrams=*/false, s);
}

void IntentModel::Probabilities(absl::string_view text, bool record_ngrams,
                                PredictScratch* s) const {
  s->views.resize(parts_.views.size());
  s->active.resize(total_hidden_);
  const float t = parts_.temperature;
  const size_t k = parts_.labels.size();
  s->member_max_score.resize(num_members_);
  s->member_probs.resize(num_members_ * k);
  s->member_hidden.resize(total_hidden_);
  if (num_members_ == 1) {
    Featurize(0, text, record_ngrams, s);
    MemberScores(parts_.views[0].members[0], s->views[0], 0, s);
    s->member_max_score[0] = *std::max_element(s->member_scores.begin(), s->member_scores.end());
    std::copy(s->hidden.begin(), s->hidden.begin() + total_hidden_, s->member_hidden.begin());
    s->scores.swap(s->member_scores);
    SoftmaxInPlace(t, &s->scores);
    return;
  }
  // The ensemble's probabilities are the mean of its members' (each member is calibrated on
  // its own; averaging probabilities keeps the result a distribution).
  s->scores.assign(k, 0.0f);
  const float share = 1.0f / static_cast<float>(num_members_);
  for (size_t v = 0; v < parts_.views.size(); ++v) {
    if (!derived_[v]) Featurize(v, text, record_ngrams, s);
  }
  size_t member = 0;
  for (size_t v = 0; v < parts_.views.size(); ++v) {
    size_t offset = active_offset_[v];
    for (const ModelMember& m : parts_.views[v].members) {
      MemberScores(m, s->views[v], offset, s);
      std::copy(s->hidden.begin(), s->hidden.begin() + m.hidden, s->member_hidden.begin() + offset);
      offset += static_cast<size_t>(m.hidden);
      s->member_max_score[member] =
          *std::max_element(s->member_scores.begin(), s->member_scores.end());
      SoftmaxInPlace(1, &s->member_scores);
      std::copy(s->member_scores.begin(), s->member_scores.end(),
                s->member_probs.begin() + member * k);
      ++member;
      for (size_t j = 0; j < k; ++j) s->scores[j] += share * s->member_scores[j];
    }
  }
  if (t != 1) {
    // p^(1/t), renormalised: softmax of ln(p) / t.
    for (float& p : s->scores) p = p > 0 ? std::log(p) : -std::numeric_limits<float>::infinity();
    SoftmaxInPlace(t, &s->scores);
  }
}

int IntentModel::PredictIndex(absl::string_view text, PredictScratch* s) const {
  Probabilities(text, s);
  return static_cast<int>(std::max_element(s->scores.begin(), s->scores.end()) - s->scores.begin());
}

Prediction IntentModel::Predict(absl::string_view text, const PredictOptions& options,
                                PredictScratch* scratch) const {
  // Callers without a scratch of their own (the classification service) get a per-thread one,
  // so the buffers are allocated once per thread rather than once per message.
  thread_local PredictScratch local;
  PredictScratch& s = scratch != nullptr ? *scratch : local;
  Probabilities(text, /*record_ngrams=*/options.top_features > 0, &s);
  Prediction p;
  const size_t k = parts_.labels.size();
  const size_t top = std::min(k, static_cast<size_t>(std::max(options.top_labels, 1)));
  // The top labels by a partial selection over indices; ties go to the lower index so that the
  // winner matches PredictIndex.
  auto better = [&](int a, int b) {
    return s.scores[a] != s.scores[b] ? s.scores[a] > s.scores[b] : a < b;
  };
  int order[16];
  std::vector<int> all;
  int* best = order;
  if (top <= 16) {
    size_t n = 0;
    for (size_t i = 0; i < k; ++i) {
      const int label = static_cast<int>(i);
      if (n == top && !better(label, order[n - 1])) continue;
      size_t pos = n < top ? n++ : n - 1;
      while (pos > 0 && better(label, order[pos - 1])) {
        order[pos] = order[pos - 1];
        --pos;
      }
      order[pos] = label;
    }
  } else {
    all.resize(k);
    for (size_t i = 0; i < k; ++i) all[i] = static_cast<int>(i);
    std::partial_sort(all.begin(), all.begin() + top, all.end(), better);
    best = all.data();
  }
  p.out_of_scope_score = OutOfScopeScore(s);
  p.labels.reserve(top);
  for (size_t i = 0; i < top; ++i) {
    p.labels.push_back(LabelProbability{parts_.labels[best[i]], s.scores[best[i]]});
  }
  if (options.top_features > 0) Explain(best[0], options.top_features, &s, &p);
  return p;
}

}  // namespace omniroute::classification::model
