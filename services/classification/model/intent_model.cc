#include "services/classification/model/intent_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/classification/model/dense_layers.h"
#include "services/classification/model/radix_sort.h"

namespace omniroute::classification::model {
namespace {

constexpr int kMaxHidden = 4096;
constexpr size_t kMaxViews = 16;
constexpr size_t kMaxMembers = 16;  // in all views together

// The dot product of explanations (see dense_layers.h for the layers). GCC/Clang function
// multiversioning compiles it for AVX2 and for the baseline ISA and picks the best for the CPU at
// load time. Without FMA both versions round exactly alike, so results do not depend on the CPU.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__)
#define OMNIROUTE_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define OMNIROUTE_MULTIVERSION
#endif

// Dot product of n 8-bit weights and n floats. Eight independent partial sums (a fixed order, so
// the result does not depend on the CPU) let the compiler use vector registers.
OMNIROUTE_MULTIVERSION
float DotInt8(const int8_t* __restrict x, const float* __restrict y, size_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t j = 0; j < 8; ++j) acc[j] += static_cast<float>(x[i + j]) * y[i + j];
  }
  for (; i < n; ++i) acc[i % 8] += static_cast<float>(x[i]) * y[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

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

absl::Status CheckMember(const ModelMember& m, size_t rows, size_t k, const std::string& which) {
  if (m.hidden < 0 || m.hidden > kMaxHidden) {
    return absl::InvalidArgumentError(
        absl::StrCat(which, "hidden size ", m.hidden, " not in 0..", kMaxHidden));
  }
  const size_t hsize = static_cast<size_t>(m.hidden);
  const size_t width = hsize > 0 ? hsize : k;
  if (m.weights.size() != rows * width) {
    return absl::InvalidArgumentError(absl::StrCat(which, "weights: ", m.weights.size(),
                                                   " values for ", rows, " rows x ", width));
  }
  if (m.row_scale.size() != rows) {
    return absl::InvalidArgumentError(
        absl::StrCat(which, "row scales: ", m.row_scale.size(), " values for ", rows, " rows"));
  }
  if (m.bias.size() != k) {
    return absl::InvalidArgumentError(
        absl::StrCat(which, "bias: ", m.bias.size(), " values for ", k, " labels"));
  }
  if (m.hidden_bias.size() != hsize || m.output_weights.size() != hsize * k) {
    return absl::InvalidArgumentError(absl::StrCat(
        which, "hidden layer: ", m.hidden_bias.size(), " biases and ", m.output_weights.size(),
        " output weights for ", hsize, " units x ", k, " labels"));
  }
  for (const std::vector<float>* v : {&m.bias, &m.hidden_bias, &m.output_weights}) {
    for (float x : *v) {
      if (!std::isfinite(x)) return absl::InvalidArgumentError(which + "a weight is not finite");
    }
  }
  for (float x : m.row_scale) {
    if (!(x > 0 && std::isfinite(x))) {
      return absl::InvalidArgumentError(which + "a row scale is not positive and finite");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckView(const ModelView& v, size_t k, const std::string& which) {
  const FeaturizerConfig& config = v.featurizer;
  if (absl::Status s = ValidateFeaturizerConfig(config); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(which, "featurizer: ", s.message()));
  }
  const uint64_t num_buckets = uint64_t{1} << config.hash_bits;
  for (size_t i = 0; i < v.buckets.size(); ++i) {
    if (v.buckets[i] >= num_buckets) {
      return absl::InvalidArgumentError(
          absl::StrCat(which, "bucket ", v.buckets[i], " out of range (2^", config.hash_bits, ")"));
    }
    if (i > 0 && v.buckets[i] <= v.buckets[i - 1]) {
      return absl::InvalidArgumentError(which + "bucket ids are not strictly increasing");
    }
  }
  if (v.members.empty()) return absl::InvalidArgumentError(which + "no members");
  for (size_t i = 0; i < v.members.size(); ++i) {
    if (absl::Status s =
            CheckMember(v.members[i], v.buckets.size(), k, absl::StrCat(which, "member ", i, ": "));
        !s.ok()) {
      return s;
    }
  }
  if (config.idf) {
    if (v.idf.size() != v.buckets.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(which, "idf: ", v.idf.size(), " values for ", v.buckets.size(), " rows"));
    }
    for (float x : v.idf) {
      if (!(x > 0 && std::isfinite(x))) {
        return absl::InvalidArgumentError(which + "an IDF value is not positive and finite");
      }
    }
    if (!(v.idf_unseen > 0 && std::isfinite(v.idf_unseen))) {
      return absl::InvalidArgumentError(which + "the unseen-bucket IDF is not positive and finite");
    }
  } else if (!v.idf.empty()) {
    return absl::InvalidArgumentError(which +
                                      "IDF values given but the featurizer does not use IDF");
  }
  return absl::OkStatus();
}

}  // namespace

IntentModel::RowIndex::RowIndex(const std::vector<uint32_t>& buckets, const std::vector<float>& idf,
                                float idf_unseen)
    : unseen_(idf.empty() ? 1.0f : idf_unseen) {
  int bits = 4;
  while ((size_t{1} << bits) < 2 * buckets.size()) ++bits;
  entries_.resize(size_t{1} << bits);
  mask_ = entries_.size() - 1;
  shift_ = 64 - bits;
  for (size_t r = 0; r < buckets.size(); ++r) {
    size_t i = Slot(buckets[r]);
    while (entries_[i].row >= 0) i = (i + 1) & mask_;
    entries_[i] = Entry{buckets[r], static_cast<int32_t>(r), idf.empty() ? 1.0f : idf[r]};
  }
}

absl::StatusOr<IntentModel> IntentModel::Create(ModelParts p) {
  if (p.labels.empty()) return absl::InvalidArgumentError("a model needs at least one label");
  std::set<absl::string_view> seen;
  for (const std::string& l : p.labels) {
    if (l.empty()) return absl::InvalidArgumentError("empty label");
    if (!seen.insert(l).second) return absl::InvalidArgumentError("duplicate label: " + l);
  }
  if (p.views.empty()) return absl::InvalidArgumentError("a model needs at least one view");
  if (p.views.size() > kMaxViews) {
    return absl::InvalidArgumentError(
        absl::StrCat(p.views.size(), " views (at most ", kMaxViews, ")"));
  }
  size_t members = 0;
  for (size_t i = 0; i < p.views.size(); ++i) {
    const std::string which = p.views.size() > 1 ? absl::StrCat("view ", i, ": ") : "";
    if (absl::Status s = CheckView(p.views[i], p.labels.size(), which); !s.ok()) return s;
    members += p.views[i].members.size();
  }
  if (members > kMaxMembers) {
    return absl::InvalidArgumentError(
        absl::StrCat(members, " members (at most ", kMaxMembers, ")"));
  }
  if (!(p.temperature > 0 && std::isfinite(p.temperature))) {
    return absl::InvalidArgumentError("the temperature is not positive and finite");
  }
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
    m.row_of_.emplace_back(v.buckets, v.idf, v.idf_unseen);
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
  for (size_t i = 0; i < n; ++i) {
    const RowIndex::Entry e = row_of.Find(vs.features[i].bucket);
    vs.rows[i] = e.row;
    vs.features[i].value *= e.idf;  // 1 without IDF
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
  if (num_members_ == 1) {
    Featurize(0, text, record_ngrams, s);
    MemberScores(parts_.views[0].members[0], s->views[0], 0, s);
    s->scores.swap(s->member_scores);
    SoftmaxInPlace(t, &s->scores);
    return;
  }
  // The ensemble's probabilities are the mean of its members' (each member is calibrated on
  // its own; averaging probabilities keeps the result a distribution).
  const size_t k = parts_.labels.size();
  s->scores.assign(k, 0.0f);
  const float share = 1.0f / static_cast<float>(num_members_);
  for (size_t v = 0; v < parts_.views.size(); ++v) {
    if (!derived_[v]) Featurize(v, text, record_ngrams, s);
  }
  for (size_t v = 0; v < parts_.views.size(); ++v) {
    size_t offset = active_offset_[v];
    for (const ModelMember& m : parts_.views[v].members) {
      MemberScores(m, s->views[v], offset, s);
      offset += static_cast<size_t>(m.hidden);
      SoftmaxInPlace(1, &s->member_scores);
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

void IntentModel::PrepareContributions(int label, PredictScratch* s) const {
  // A ReLU network is linear in its input for a fixed set of active units, so a feature's share
  // of the score runs through the units active for this message: per unit, its output weight
  // for `label` if active, else 0. A feature's contribution is then one dot product.
  const size_t k = parts_.labels.size();
  s->unit_weight.assign(total_hidden_, 0.0f);
  size_t offset = 0;
  for (const ModelView& v : parts_.views) {
    for (const ModelMember& m : v.members) {
      for (size_t u = 0; u < static_cast<size_t>(m.hidden); ++u) {
        if (s->active[offset + u]) s->unit_weight[offset + u] = m.output_weights[u * k + label];
      }
      offset += static_cast<size_t>(m.hidden);
    }
  }
}

float IntentModel::Contribution(size_t v, int32_t row, float value, int label,
                                const PredictScratch& s) const {
  const size_t k = parts_.labels.size();
  double total = 0;
  size_t offset = active_offset_[v];
  for (const ModelMember& m : parts_.views[v].members) {
    const float scale = m.row_scale[row];
    if (m.hidden == 0) {
      total += scale * m.weights[static_cast<size_t>(row) * k + label];
      continue;
    }
    const size_t hsize = static_cast<size_t>(m.hidden);
    const int8_t* w = m.weights.data() + static_cast<size_t>(row) * hsize;
    total += scale * DotInt8(w, s.unit_weight.data() + offset, hsize);
    offset += hsize;
  }
  // The mean over all members, like the probabilities.
  return static_cast<float>(value * total / num_members_);
}

void IntentModel::Explain(int winner, int top_features, PredictScratch* s, Prediction* p) const {
  // Each distinct n-gram of each view gets its bucket's contribution (value x weight), shared by
  // occurrence count when several n-grams fell into one bucket; an n-gram that several views
  // produce adds up its contributions. Names are built only for the few n-grams reported. All
  // views normalise the text alike, so their n-grams are slices of the same string.
  PrepareContributions(winner, s);
  const absl::string_view norm(s->views[0].featurizer.normalized);
  struct Scored {
    float contribution;
    const NgramRef* gram;
  };
  // Views with the same hash_bits put an n-gram in the same bucket, so an integer comparison
  // orders almost every pair; the text decides only between n-grams that share a bucket.
  bool same_bits = true;
  for (const ModelView& v : parts_.views) {
    same_bits = same_bits && v.featurizer.hash_bits == parts_.views[0].featurizer.hash_bits;
  }
  auto key = [&](const NgramRef& g) {
    return std::make_tuple(g.kind, norm.substr(g.offset, g.length),
                           norm.substr(g.offset2, g.length2));
  };
  std::vector<Scored> scored;
  for (size_t v = 0; v < parts_.views.size(); ++v) {
    ViewScratch& vs = s->views[v];
    const std::vector<NgramRef>& grams = vs.featurizer.ngrams;
    // By bucket: sort (bucket, index) pairs as plain integers, then by text only inside the
    // rare buckets that hold more than one n-gram occurrence.
    std::vector<uint64_t>& order = vs.order;
    order.resize(grams.size());
    for (size_t i = 0; i < grams.size(); ++i) order[i] = uint64_t{grams[i].bucket} << 32 | i;
    RadixSortByBits(32, parts_.views[v].featurizer.hash_bits, &order, &vs.order_tmp);
    auto gram = [&](size_t i) -> const NgramRef& { return grams[order[i] & 0xFFFFFFFFu]; };
    size_t feature = 0;  // vs.features is sorted by bucket too: walk both
    for (size_t i = 0; i < order.size();) {
      const uint32_t bucket = gram(i).bucket;
      size_t bucket_end = i + 1;
      while (bucket_end < order.size() && gram(bucket_end).bucket == bucket) ++bucket_end;
      if (bucket_end - i > 1) {
        std::sort(order.begin() + i, order.begin() + bucket_end, [&](uint64_t a, uint64_t b) {
          return key(grams[a & 0xFFFFFFFFu]) < key(grams[b & 0xFFFFFFFFu]);
        });
      }
      while (feature < vs.features.size() && vs.features[feature].bucket < bucket) ++feature;
      const bool found = feature < vs.features.size() && vs.features[feature].bucket == bucket;
      const int32_t row = found ? vs.rows[feature] : -1;
      const float bucket_contribution =
          row < 0 ? 0.0f : Contribution(v, row, vs.features[feature].value, winner, *s);
      const float in_bucket = static_cast<float>(bucket_end - i);
      for (size_t j = i; j < bucket_end;) {
        size_t same = j + 1;
        while (same < bucket_end && key(gram(same)) == key(gram(j))) ++same;
        if (bucket_contribution != 0) {
          scored.push_back(Scored{bucket_contribution * (same - j) / in_bucket, &gram(j)});
        }
        j = same;
      }
      i = bucket_end;
    }
  }
  if (parts_.views.size() > 1) {
    // Merge the views' entries for the same n-gram.
    std::sort(scored.begin(), scored.end(), [&](const Scored& a, const Scored& b) {
      if (same_bits && a.gram->bucket != b.gram->bucket) return a.gram->bucket < b.gram->bucket;
      return key(*a.gram) < key(*b.gram);
    });
    size_t out = 0;
    for (size_t i = 0; i < scored.size(); ++i) {
      if (out > 0 && (!same_bits || scored[out - 1].gram->bucket == scored[i].gram->bucket) &&
          key(*scored[out - 1].gram) == key(*scored[i].gram)) {
        scored[out - 1].contribution += scored[i].contribution;
      } else {
        scored[out++] = scored[i];
      }
    }
    scored.resize(out);
  }
  const size_t nf = std::min(scored.size(), static_cast<size_t>(top_features));
  std::partial_sort(scored.begin(), scored.begin() + nf, scored.end(),
                    [&](const Scored& a, const Scored& b) {
                      if (a.contribution != b.contribution) return a.contribution > b.contribution;
                      return key(*a.gram) < key(*b.gram);
                    });
  for (size_t i = 0; i < nf; ++i) {
    p->features.push_back(FeatureContribution{
        Featurizer::NgramName(s->views[0].featurizer, *scored[i].gram), scored[i].contribution});
  }
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
  p.labels.reserve(top);
  for (size_t i = 0; i < top; ++i) {
    p.labels.push_back(LabelProbability{parts_.labels[best[i]], s.scores[best[i]]});
  }
  if (options.top_features > 0) Explain(best[0], options.top_features, &s, &p);
  return p;
}

}  // namespace omniroute::classification::model
