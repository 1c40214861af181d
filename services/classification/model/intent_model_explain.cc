#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

#include "services/classification/model/intent_model.h"
#include "services/classification/model/radix_sort.h"

// Explanations: which n-grams of a message most supported the winning label
// (IntentModel::Explain and its helpers).
namespace omniroute::classification::model {
namespace {

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

}  // namespace

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

}  // namespace omniroute::classification::model
