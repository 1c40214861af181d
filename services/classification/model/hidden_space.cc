#include "services/classification/model/hidden_space.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace omniroute::classification::model {
namespace {

// kPrototypesPerLabel spherical k-means centres of the rows `idx` of x (normalised), seeded
// with evenly spaced rows, 10 rounds; into out (prototypes x h).
void Prototypes(const std::vector<float>& x, const std::vector<size_t>& idx, size_t h,
                std::vector<double>* out) {
  const size_t p = kPrototypesPerLabel;
  std::vector<double> unit(idx.size() * h);
  for (size_t i = 0; i < idx.size(); ++i) {
    double nn = 0;
    for (size_t u = 0; u < h; ++u) nn += double{x[idx[i] * h + u]} * x[idx[i] * h + u];
    const double inv = nn > 0 ? 1 / std::sqrt(nn) : 0;
    for (size_t u = 0; u < h; ++u) unit[i * h + u] = x[idx[i] * h + u] * inv;
  }
  std::vector<double>& centre = *out;
  centre.assign(p * h, 0);
  for (size_t j = 0; j < p; ++j) {
    const size_t pick = j * idx.size() / p;
    std::copy(&unit[pick * h], &unit[pick * h] + h, &centre[j * h]);
  }
  std::vector<size_t> assign(idx.size(), 0);
  for (int round = 0; round < 10; ++round) {
    for (size_t i = 0; i < idx.size(); ++i) {
      double best = -2;
      for (size_t j = 0; j < p; ++j) {
        double dot = 0;
        for (size_t u = 0; u < h; ++u) dot += unit[i * h + u] * centre[j * h + u];
        if (dot > best) {
          best = dot;
          assign[i] = j;
        }
      }
    }
    std::vector<double> sum(p * h, 0);
    for (size_t i = 0; i < idx.size(); ++i) {
      for (size_t u = 0; u < h; ++u) sum[assign[i] * h + u] += unit[i * h + u];
    }
    for (size_t j = 0; j < p; ++j) {
      double nn = 0;
      for (size_t u = 0; u < h; ++u) nn += sum[j * h + u] * sum[j * h + u];
      if (nn == 0) continue;  // no member: keeps its centre
      for (size_t u = 0; u < h; ++u) centre[j * h + u] = sum[j * h + u] / std::sqrt(nn);
    }
  }
}

}  // namespace

HiddenSpace FitHiddenSpace(const std::vector<float>& activations, const std::vector<int>& labels,
                           size_t num_labels, size_t hidden) {
  HiddenSpace g;
  const size_t h = hidden, p = kPrototypesPerLabel;
  if (labels.empty() || h == 0) return g;
  std::vector<std::vector<size_t>> of_label(num_labels);
  for (size_t i = 0; i < labels.size(); ++i) of_label[static_cast<size_t>(labels[i])].push_back(i);
  g.prototypes = static_cast<uint32_t>(p);
  g.prototype.assign(num_labels * h * p, 0);
  std::vector<double> centre;
  for (size_t c = 0; c < num_labels; ++c) {
    if (of_label[c].empty()) continue;
    Prototypes(activations, of_label[c], h, &centre);
    for (size_t j = 0; j < p; ++j) {
      for (size_t u = 0; u < h; ++u) {
        g.prototype[(c * h + u) * p + j] =
            static_cast<int8_t>(std::lround(127 * centre[j * h + u]));
      }
    }
  }
  return g;
}

float PrototypeCosine(const HiddenSpace& g, const float* h, size_t hidden, size_t winner,
                      float* buffer) {
  const size_t p = g.prototypes;
  if (p == 0) return 0;
  float* dot = buffer;
  std::fill(dot, dot + p, 0.0f);
  const int8_t* proto = g.prototype.data() + winner * hidden * p;
  float hh = 0;
  for (size_t u = 0; u < hidden; ++u) {
    const float x = h[u];
    if (!(x > 0)) continue;
    hh += x * x;
    const int8_t* q = proto + u * p;
    for (size_t j = 0; j < p; ++j) dot[j] += x * static_cast<float>(q[j]);
  }
  return hh > 0 ? *std::max_element(dot, dot + p) / (127 * std::sqrt(hh)) : 0.0f;
}

void WriteHiddenSpace(const HiddenSpace& g, ByteWriter* w) {
  w->U32(g.prototypes);
  w->Raw(absl::string_view(reinterpret_cast<const char*>(g.prototype.data()), g.prototype.size()));
}

absl::Status ReadHiddenSpace(ByteReader* body, size_t num_labels, size_t hidden, HiddenSpace* g) {
  if (absl::Status s = body->U32("out-of-scope prototype count", &g->prototypes); !s.ok()) {
    return s;
  }
  if (g->prototypes == 0 || g->prototypes > kMaxPrototypes) {
    return absl::DataLossError(absl::StrCat("model file: out-of-scope prototype count ",
                                            g->prototypes, " (1..", kMaxPrototypes, ")"));
  }
  const uint64_t bytes = uint64_t{num_labels} * hidden * g->prototypes;
  if (!body->Fits(bytes, 1)) return body->Truncated("out-of-scope prototypes");
  g->prototype.resize(bytes);
  return body->Raw("out-of-scope prototypes", g->prototype.data(), bytes);
}

}  // namespace omniroute::classification::model
