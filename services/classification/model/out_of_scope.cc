#include "services/classification/model/out_of_scope.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>

namespace omniroute::classification::model {

const char* const kOutOfScopeSignalNames[kOutOfScopeSignals] = {
    "top_probability",  "margin",      "entropy",         "member_winner_probability",
    "member_agreement", "max_score",   "known_mass",      "log_ngrams",
    "centroid_cosine",  "hidden_norm", "prototype_cosine"};

void IntentModel::OutOfScopeSignals(const PredictScratch& s, float* out) const {
  const size_t k = parts_.labels.size();
  const float* p = s.scores.data();
  size_t best = 0;
  float p1 = -1, p2 = 0;
  double entropy = 0;
  for (size_t j = 0; j < k; ++j) {
    if (p[j] > p1) {
      p2 = std::max(p1, 0.0f);
      p1 = p[j];
      best = j;
    } else if (p[j] > p2) {
      p2 = p[j];
    }
    if (p[j] > 1e-12f) entropy -= p[j] * std::log(p[j]);
  }
  out[0] = p1;
  out[1] = p1 - p2;
  out[2] = k > 1 ? static_cast<float>(entropy / std::log(static_cast<double>(k))) : 0.0f;
  float winner = 0, agree = 0, max_score = 0;
  const size_t members = num_members_;
  for (size_t m = 0; m < members; ++m) {
    max_score += s.member_max_score[m];
    if (members == 1) {
      winner += p1;
      agree += 1;
      continue;
    }
    const float* q = s.member_probs.data() + m * k;
    winner += q[best];
    agree += static_cast<float>(std::max_element(q, q + k) - q == static_cast<ptrdiff_t>(best));
  }
  out[3] = winner / members;
  out[4] = agree / members;
  out[5] = max_score / members;
  float known = 0;
  for (size_t v = 0; v < parts_.views.size(); ++v) {
    const ViewScratch& vs = s.views[v];
    float seen = 0, total = 0;
    for (size_t i = 0; i < vs.features.size(); ++i) {
      const float x = vs.features[i].value * vs.features[i].value;
      total += x;
      if (vs.rows[i] >= 0) seen += x;
    }
    known += total > 0 ? seen / total : 0.0f;
  }
  out[6] = known / parts_.views.size();
  out[7] = std::log1p(static_cast<float>(s.views[0].features.size()));
  // The hidden activations against the winner's centroid and prototypes.
  const std::vector<std::vector<float>>& centroids = parts_.out_of_scope.centroids;
  const std::vector<HiddenSpace>& spaces = parts_.out_of_scope.hidden_space;
  float buffer[kMaxPrototypes];  // the prototypes' dot products
  float cosine = 0, norm = 0, prototype = 0;
  size_t m = 0, offset = 0;
  for (const ModelView& v : parts_.views) {
    for (const ModelMember& member : v.members) {
      const size_t hsize = static_cast<size_t>(member.hidden);
      const float* h = s.member_hidden.data() + offset;
      const float* c = centroids.empty() ? nullptr : centroids[m].data() + best * hsize;
      float hh = 0, hc = 0, cc = 0;
      for (size_t u = 0; u < hsize; ++u) {
        const float x = std::max(h[u], 0.0f);
        hh += x * x;
        if (c != nullptr) {
          hc += x * c[u];
          cc += c[u] * c[u];
        }
      }
      norm += std::sqrt(hh);
      if (hh > 0 && cc > 0) cosine += hc / std::sqrt(hh * cc);
      if (m < spaces.size()) {
        prototype += PrototypeCosine(spaces[m], h, hsize, best, buffer);
      }
      offset += hsize;
      ++m;
    }
  }
  out[8] = cosine / members;
  out[9] = norm / members;
  out[10] = prototype / members;
}

std::vector<std::vector<float>> IntentModel::HiddenCentroids(const std::vector<std::string>& texts,
                                                             const std::vector<int>& labels) const {
  std::vector<std::vector<float>> centroids;
  for (const ModelView& v : parts_.views) {
    for (const ModelMember& member : v.members) {
      if (member.hidden == 0) return {};
      centroids.emplace_back(parts_.labels.size() * static_cast<size_t>(member.hidden), 0.0f);
    }
  }
  std::vector<size_t> count(parts_.labels.size(), 0);
  PredictScratch s;
  for (size_t i = 0; i < texts.size(); ++i) {
    Probabilities(texts[i], &s);
    const size_t label = static_cast<size_t>(labels[i]);
    ++count[label];
    size_t offset = 0, m = 0;
    for (const ModelView& v : parts_.views) {
      for (const ModelMember& member : v.members) {
        const size_t hsize = static_cast<size_t>(member.hidden);
        float* c = centroids[m++].data() + label * hsize;
        for (size_t u = 0; u < hsize; ++u) c[u] += std::max(s.member_hidden[offset + u], 0.0f);
        offset += hsize;
      }
    }
  }
  for (std::vector<float>& c : centroids) {
    const size_t hsize = c.size() / parts_.labels.size();
    for (size_t label = 0; label < count.size(); ++label) {
      for (size_t u = 0; u < hsize; ++u) {
        c[label * hsize + u] /= static_cast<float>(std::max<size_t>(count[label], 1));
      }
    }
  }
  return centroids;
}

absl::StatusOr<IntentModel> IntentModel::WithOutOfScope(OutOfScopeDetector detector) const {
  ModelParts parts = parts_;
  parts.out_of_scope = std::move(detector);
  return Create(std::move(parts));
}

absl::StatusOr<IntentModel> WithCentroids(const IntentModel& model,
                                          const std::vector<Example>& examples) {
  std::map<std::string, int> index;
  for (size_t i = 0; i < model.labels().size(); ++i) index[model.labels()[i]] = static_cast<int>(i);
  std::vector<std::string> texts;
  std::vector<int> labels;
  for (const Example& e : examples) {
    texts.push_back(e.text);
    labels.push_back(index.at(e.label));
  }
  OutOfScopeDetector d = model.oos_detector();
  d.centroids = model.HiddenCentroids(texts, labels);
  d.hidden_space.clear();
  if (!d.centroids.empty()) {
    // Every member's activations (ReLU applied) of every message, member by member.
    const size_t k = model.labels().size();
    std::vector<std::vector<float>> activations(d.centroids.size());
    PredictScratch s;
    for (const std::string& text : texts) {
      model.Probabilities(text, &s);
      const float* h = s.member_hidden.data();
      for (size_t m = 0; m < activations.size(); ++m) {
        const size_t hsize = d.centroids[m].size() / k;
        for (size_t u = 0; u < hsize; ++u) activations[m].push_back(std::max(h[u], 0.0f));
        h += hsize;
      }
    }
    for (size_t m = 0; m < activations.size(); ++m) {
      d.hidden_space.push_back(
          FitHiddenSpace(activations[m], labels, k, d.centroids[m].size() / k));
    }
  }
  return model.WithOutOfScope(std::move(d));
}

float IntentModel::OutOfScopeScore(const PredictScratch& s) const {
  if (parts_.out_of_scope.weights.empty()) {
    return 1.0f - *std::max_element(s.scores.begin(), s.scores.end());
  }
  float signals[kOutOfScopeSignals];
  OutOfScopeSignals(s, signals);
  return OutOfScopeScoreOf(parts_.out_of_scope, signals);
}

float OutOfScopeScoreOf(const OutOfScopeDetector& d, const float* signals) {
  double z = d.bias;
  for (size_t j = 0; j < d.weights.size(); ++j) z += d.weights[j] * signals[j];
  if (std::isnan(z)) return 1;  // only from a model with absurd (though bounded) weights
  return static_cast<float>(1.0 / (1.0 + std::exp(-z)));
}

namespace {

// Solves a x = b (n x n, row-major) by Gaussian elimination with partial pivoting; a is
// positive definite here (a ridge is added), so no pivot is zero.
std::vector<double> Solve(std::vector<double> a, std::vector<double> b) {
  const size_t n = b.size();
  for (size_t c = 0; c < n; ++c) {
    size_t pivot = c;
    for (size_t r = c + 1; r < n; ++r) {
      if (std::fabs(a[r * n + c]) > std::fabs(a[pivot * n + c])) pivot = r;
    }
    for (size_t j = 0; j < n; ++j) std::swap(a[c * n + j], a[pivot * n + j]);
    std::swap(b[c], b[pivot]);
    for (size_t r = c + 1; r < n; ++r) {
      const double f = a[r * n + c] / a[c * n + c];
      for (size_t j = c; j < n; ++j) a[r * n + j] -= f * a[c * n + j];
      b[r] -= f * b[c];
    }
  }
  std::vector<double> x(n);
  for (size_t c = n; c-- > 0;) {
    double v = b[c];
    for (size_t j = c + 1; j < n; ++j) v -= a[c * n + j] * x[j];
    x[c] = v / a[c * n + c];
  }
  return x;
}

}  // namespace

OutOfScopeDetector FitOutOfScopeDetector(const std::vector<float>& signals,
                                         const std::vector<bool>& is_oos, const bool* use) {
  constexpr size_t d = kOutOfScopeSignals;
  constexpr size_t n1 = d + 1;  // the intercept last
  constexpr double kRidge = 1e-3;
  const size_t n = is_oos.size();
  size_t positives = 0;
  for (bool y : is_oos) positives += y;
  OutOfScopeDetector det;
  if (positives == 0 || positives == n) return det;
  std::vector<double> mean(d, 0), sd(d, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) mean[j] += signals[i * d + j] / n;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) sd[j] += std::pow(signals[i * d + j] - mean[j], 2) / n;
  for (size_t j = 0; j < d; ++j) {
    sd[j] = sd[j] > 1e-12 && (use == nullptr || use[j]) ? std::sqrt(sd[j]) : 0;
  }
  std::vector<double> z(n * n1);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) {
      z[i * n1 + j] = sd[j] > 0 ? (signals[i * d + j] - mean[j]) / sd[j] : 0;
    }
    z[i * n1 + d] = 1;
  }
  const double w_pos = 0.5 / positives, w_neg = 0.5 / (n - positives);
  std::vector<double> beta(n1, 0);
  for (int iter = 0; iter < 100; ++iter) {
    std::vector<double> grad(n1, 0), hess(n1 * n1, 0);
    for (size_t j = 0; j < d; ++j) {
      grad[j] = kRidge * beta[j];
      hess[j * n1 + j] = kRidge;
    }
    hess[d * n1 + d] += 1e-9;
    for (size_t i = 0; i < n; ++i) {
      const double* x = &z[i * n1];
      double t = 0;
      for (size_t j = 0; j < n1; ++j) t += beta[j] * x[j];
      const double p = 1 / (1 + std::exp(-t));
      const double w = is_oos[i] ? w_pos : w_neg;
      const double g = w * (p - (is_oos[i] ? 1 : 0)), h = w * p * (1 - p);
      for (size_t a = 0; a < n1; ++a) {
        grad[a] += g * x[a];
        for (size_t b = 0; b < n1; ++b) hess[a * n1 + b] += h * x[a] * x[b];
      }
    }
    const std::vector<double> step = Solve(hess, grad);
    double largest = 0;
    for (size_t j = 0; j < n1; ++j) {
      beta[j] -= step[j];
      largest = std::max(largest, std::fabs(step[j]));
    }
    if (largest < 1e-7) break;
  }
  det.weights.assign(d, 0.0f);
  double bias = beta[d];
  for (size_t j = 0; j < d; ++j) {
    if (sd[j] == 0) continue;
    det.weights[j] = static_cast<float>(beta[j] / sd[j]);
    bias -= beta[j] * mean[j] / sd[j];
  }
  det.bias = static_cast<float>(bias);
  return det;
}

float ThresholdForRejectRate(std::vector<float> scores, double reject_rate) {
  if (scores.empty()) return kNeverOutOfScope;
  std::sort(scores.begin(), scores.end());
  const size_t n = scores.size();
  const size_t rejected = std::min(n, static_cast<size_t>(std::floor(reject_rate * n)));
  if (rejected == 0) return std::min(1.0f, std::nextafter(scores.back(), 2.0f));
  if (rejected == n) return scores.front() / 2;
  return (scores[n - rejected - 1] + scores[n - rejected]) / 2;
}

double RocAuc(const std::vector<float>& scores, const std::vector<bool>& positive) {
  std::vector<std::pair<float, bool>> v;
  size_t pos = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    v.emplace_back(scores[i], positive[i]);
    pos += positive[i];
  }
  const size_t neg = v.size() - pos;
  if (pos == 0 || neg == 0) return 0.5;
  std::sort(v.begin(), v.end());
  double rank_sum = 0;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j < v.size() && v[j].first == v[i].first) ++j;
    const double rank = (i + 1 + j) / 2.0;  // mean of the ranks i+1..j
    for (size_t t = i; t < j; ++t) rank_sum += v[t].second ? rank : 0;
    i = j;
  }
  return (rank_sum - pos * (pos + 1) / 2.0) / (static_cast<double>(pos) * neg);
}

}  // namespace omniroute::classification::model
