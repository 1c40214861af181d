#include "services/classification/model/model_validation.h"

#include <cmath>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/classification/model/out_of_scope.h"

namespace omniroute::classification::model {
namespace {

constexpr int kMaxHidden = 4096;
constexpr size_t kMaxViews = 16;
constexpr size_t kMaxMembers = 16;  // in all views together
// Trained values stay many orders of magnitude below these bounds; larger ones, though finite,
// can overflow a prediction to inf and its probabilities to NaN, so a model holding them is
// refused (e.g. a damaged file whose checksum was recomputed).
constexpr float kMaxMagnitude = 1e6f;
constexpr float kMinTemperature = 1e-3f, kMaxTemperature = 1e3f;
// Trained IDF values are at least 1; a tiny one would make normalised features infinite.
constexpr float kMinIdf = 1e-3f;

// False for NaN and infinities too.
bool Bounded(float x) { return std::fabs(x) <= kMaxMagnitude; }

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
      if (!Bounded(x)) {
        return absl::InvalidArgumentError(
            absl::StrCat(which, "a weight is not finite or exceeds ", kMaxMagnitude));
      }
    }
  }
  for (float x : m.row_scale) {
    if (!(x > 0 && Bounded(x))) {
      return absl::InvalidArgumentError(
          absl::StrCat(which, "a row scale is not positive or exceeds ", kMaxMagnitude));
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
      if (!(x >= kMinIdf && Bounded(x))) {
        return absl::InvalidArgumentError(
            absl::StrCat(which, "an IDF value is not in [", kMinIdf, ", ", kMaxMagnitude, "]"));
      }
    }
    if (!(v.idf_unseen >= kMinIdf && Bounded(v.idf_unseen))) {
      return absl::InvalidArgumentError(absl::StrCat(which, "the unseen-bucket IDF is not in [",
                                                     kMinIdf, ", ", kMaxMagnitude, "]"));
    }
  } else if (!v.idf.empty()) {
    return absl::InvalidArgumentError(which +
                                      "IDF values given but the featurizer does not use IDF");
  }
  return absl::OkStatus();
}

// Sizes and ranges of OutOfScopeDetector::hidden_space (one per member, see hidden_space.h).
absl::Status CheckHiddenSpaces(const ModelParts& p) {
  const std::vector<HiddenSpace>& spaces = p.out_of_scope.hidden_space;
  size_t m = 0;
  for (const ModelView& v : p.views) {
    for (const ModelMember& member : v.members) {
      const size_t h = static_cast<size_t>(member.hidden), k = p.labels.size();
      const std::string which = absl::StrCat("out-of-scope hidden space of member ", m, ": ");
      if (m >= spaces.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(spaces.size(), " out-of-scope hidden spaces for more members"));
      }
      const HiddenSpace& g = spaces[m++];
      if (g.prototypes == 0 || g.prototypes > kMaxPrototypes ||
          g.prototype.size() != k * h * g.prototypes) {
        return absl::InvalidArgumentError(
            which + absl::StrCat("prototypes not labels x hidden x 1..", kMaxPrototypes));
      }
    }
  }
  if (m != spaces.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(spaces.size(), " out-of-scope hidden spaces for ", m, " members"));
  }
  return absl::OkStatus();
}

absl::Status CheckOutOfScope(const ModelParts& p) {
  const OutOfScopeDetector& d = p.out_of_scope;
  if (!d.centroids.empty()) {
    size_t m = 0;
    for (const ModelView& v : p.views) {
      for (const ModelMember& member : v.members) {
        const size_t want = p.labels.size() * static_cast<size_t>(member.hidden);
        if (m >= d.centroids.size() || d.centroids[m].size() != want || want == 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "out-of-scope centroids of member ", m, ": not labels x hidden (", want, ") values"));
        }
        for (float x : d.centroids[m++]) {
          if (!Bounded(x)) {
            return absl::InvalidArgumentError("an out-of-scope centroid value is out of range");
          }
        }
      }
    }
    if (m != d.centroids.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(d.centroids.size(), " out-of-scope centroid sets for ", m, " members"));
    }
  }
  if (!d.hidden_space.empty()) {
    if (d.centroids.empty()) {
      return absl::InvalidArgumentError("an out-of-scope hidden space without centroids");
    }
    if (absl::Status s = CheckHiddenSpaces(p); !s.ok()) return s;
  }
  if (!d.weights.empty() && d.weights.size() != kOutOfScopeSignals) {
    return absl::InvalidArgumentError(absl::StrCat("out-of-scope weights: ", d.weights.size(),
                                                   " values (0 or ", kOutOfScopeSignals, ")"));
  }
  for (float w : d.weights) {
    if (!Bounded(w)) return absl::InvalidArgumentError("an out-of-scope weight is out of range");
  }
  if (!Bounded(d.bias)) return absl::InvalidArgumentError("the out-of-scope bias is out of range");
  if (d.threshold != kNeverOutOfScope && !(d.threshold >= 0 && d.threshold <= 1)) {
    return absl::InvalidArgumentError(
        "the out-of-scope threshold is not in [0, 1] (or never out of scope)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateModelParts(const ModelParts& p) {
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
  if (!(p.temperature >= kMinTemperature && p.temperature <= kMaxTemperature)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the temperature is not in [", kMinTemperature, ", ", kMaxTemperature, "]"));
  }
  return CheckOutOfScope(p);
}

}  // namespace omniroute::classification::model
