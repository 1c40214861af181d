#include "services/classification/model/network_training.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace omniroute::classification::model {
namespace {

// The input layer as 8-bit integers, one scale per row of `width` (see ModelMember): the row's
// largest magnitude maps to 127, values round to nearest. An all-zero row gets scale 1.
void Quantize(const std::vector<float>& w, size_t width, ModelMember* member) {
  const size_t rows = width == 0 ? 0 : w.size() / width;
  member->weights.resize(w.size());
  member->row_scale.resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    const float* x = w.data() + r * width;
    float max = 0;
    for (size_t i = 0; i < width; ++i) max = std::max(max, std::fabs(x[i]));
    const float scale = max > 0 ? max / 127.0f : 1.0f;
    const float inv = 1.0f / scale;
    int8_t* q = member->weights.data() + r * width;
    for (size_t i = 0; i < width; ++i) {
      q[i] = static_cast<int8_t>(std::clamp(std::lround(x[i] * inv), -127L, 127L));
    }
    member->row_scale[r] = scale;
  }
}

// Uniform in [-limit, limit) from the raw generator output (portable, unlike the std
// distributions).
float UniformWeight(std::mt19937_64* rng, double limit) {
  const double u = static_cast<double>((*rng)() >> 11) * (1.0 / 9007199254740992.0);
  return static_cast<float>((2 * u - 1) * limit);
}

// Softmax of `scores` in place; returns the cross-entropy for label y, and leaves the gradient of
// the loss wrt the scores (p - target) in `scores`, where the target is onehot(y) smoothed by
// `smoothing` (see TrainOptions::label_smoothing).
double SoftmaxGradient(std::vector<float>* scores, int y, double smoothing) {
  float max = -std::numeric_limits<float>::infinity();
  for (float v : *scores) max = std::max(max, v);
  double sum = 0;
  for (float& v : *scores) {
    v = std::exp(v - max);
    sum += v;
  }
  const double loss = -std::log(std::max((*scores)[y] / sum, 1e-30));
  const float inv_sum = static_cast<float>(1.0 / sum);
  const float spread = static_cast<float>(smoothing / scores->size());
  for (float& v : *scores) v = v * inv_sum - spread;
  (*scores)[y] -= static_cast<float>(1.0 - smoothing);
  return loss;
}

}  // namespace

// Softmax regression by SGD. Weights are kept as scale * v so that the L2 decay of every weight
// at every step is one multiplication of `scale` instead of a pass over all rows (Bottou's
// trick); v is folded back when the scale gets small, before precision suffers.
void TrainLinear(const Dataset& d, const TrainOptions& options, uint64_t seed, size_t k,
                 ModelMember* member, double* last_loss) {
  const size_t n = d.labels.size();
  std::vector<float> v(d.buckets.size() * k, 0.0f);
  std::vector<float> bias(k, 0.0f);
  double scale = 1.0;
  std::vector<float> scores(k);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  const double total_steps = static_cast<double>(options.epochs) * n;
  double step = 0, epoch_loss = 0;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    SeededShuffle(&order, &rng);
    epoch_loss = 0;
    for (size_t idx : order) {
      const double eta = options.learning_rate * (1.0 - step / total_steps);
      step += 1;
      const uint32_t begin = d.offsets[idx], end = d.offsets[idx + 1];
      std::fill(scores.begin(), scores.end(), 0.0f);
      for (uint32_t f = begin; f < end; ++f) {
        const float x = d.values[f];
        const float* w = v.data() + static_cast<size_t>(d.rows[f]) * k;
        for (size_t j = 0; j < k; ++j) scores[j] += x * w[j];
      }
      for (size_t j = 0; j < k; ++j) scores[j] = static_cast<float>(scores[j] * scale) + bias[j];
      epoch_loss += SoftmaxGradient(&scores, d.labels[idx], options.label_smoothing);
      scale *= 1.0 - eta * options.l2;
      const float step_size = static_cast<float>(eta / scale);
      for (uint32_t f = begin; f < end; ++f) {
        const float a = step_size * d.values[f];
        float* w = v.data() + static_cast<size_t>(d.rows[f]) * k;
        for (size_t j = 0; j < k; ++j) w[j] -= a * scores[j];
      }
      const float b = static_cast<float>(eta);
      for (size_t j = 0; j < k; ++j) bias[j] -= b * scores[j];
      if (scale < 1e-4) {
        for (float& w : v) w = static_cast<float>(w * scale);
        scale = 1.0;
      }
    }
    epoch_loss /= static_cast<double>(n);
  }
  for (float& w : v) w = static_cast<float>(w * scale);
  member->hidden = 0;
  Quantize(v, k, member);
  member->bias = std::move(bias);
  *last_loss = epoch_loss;
}

// SGD for one hidden ReLU layer: the same schedule as the linear model, input dropout, and the
// L2 decay of the input layer through the same scale trick.
void TrainHiddenLayer(const Dataset& d, const TrainOptions& options, uint64_t seed, size_t k,
                      ModelMember* member, double* last_loss) {
  const size_t hsize = static_cast<size_t>(options.hidden);
  const size_t rows = d.buckets.size();
  const size_t n = d.labels.size();
  std::mt19937_64 rng(seed);
  // Uniform ranges of the Glorot kind; the input layer sees a few hundred features of L2 norm 1.
  std::vector<float> e(rows * hsize);
  for (float& w : e) w = UniformWeight(&rng, 1.0 / std::sqrt(static_cast<double>(hsize)));
  std::vector<float> b1(hsize, 0.0f);
  std::vector<float> w2(hsize * k);
  for (float& w : w2) w = UniformWeight(&rng, std::sqrt(6.0 / (hsize + k)));
  std::vector<float> b2(k, 0.0f);
  double scale = 1.0;

  std::vector<float> h(hsize), dh(hsize), g(k);
  std::vector<uint32_t> kept;  // the features of this step that survived dropout
  std::vector<float> kept_value;
  const float keep_scale = static_cast<float>(1.0 / (1.0 - options.dropout));
  // Compared with the top 53 bits of a draw, so the decision is portable.
  const uint64_t drop_below = static_cast<uint64_t>(options.dropout * 9007199254740992.0);
  std::vector<float> avg_e, avg_b1, avg_w2, avg_b2;  // see TrainOptions::average_epochs
  const float hidden_keep_scale = static_cast<float>(1.0 / (1.0 - options.hidden_dropout));
  const uint64_t hidden_drop_below =
      static_cast<uint64_t>(options.hidden_dropout * 9007199254740992.0);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  const double total_steps = static_cast<double>(options.epochs) * n;
  double step = 0, epoch_loss = 0;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    SeededShuffle(&order, &rng);
    epoch_loss = 0;
    for (size_t idx : order) {
      const double eta = options.learning_rate * (1.0 - step / total_steps);
      step += 1;
      kept.clear();
      kept_value.clear();
      for (uint32_t f = d.offsets[idx]; f < d.offsets[idx + 1]; ++f) {
        if (drop_below > 0 && ((rng() >> 11) < drop_below)) continue;
        kept.push_back(d.rows[f]);
        kept_value.push_back(drop_below > 0 ? d.values[f] * keep_scale : d.values[f]);
      }
      std::fill(h.begin(), h.end(), 0.0f);
      for (size_t f = 0; f < kept.size(); ++f) {
        const float x = kept_value[f];
        const float* w = e.data() + static_cast<size_t>(kept[f]) * hsize;
        for (size_t u = 0; u < hsize; ++u) h[u] += x * w[u];
      }
      for (size_t u = 0; u < hsize; ++u) {
        h[u] = static_cast<float>(h[u] * scale) + b1[u];
        if (h[u] < 0) h[u] = 0;
        if (hidden_drop_below > 0) {
          // Dropped units stay 0 (so they get no gradient); kept ones are scaled up, and so is
          // their gradient below.
          h[u] = (rng() >> 11) < hidden_drop_below ? 0 : h[u] * hidden_keep_scale;
        }
      }
      std::copy(b2.begin(), b2.end(), g.begin());
      for (size_t u = 0; u < hsize; ++u) {
        if (h[u] == 0) continue;
        const float* w = w2.data() + u * k;
        for (size_t j = 0; j < k; ++j) g[j] += h[u] * w[j];
      }
      epoch_loss += SoftmaxGradient(&g, d.labels[idx], options.label_smoothing);
      // Back-propagate to the hidden units before the output weights move.
      for (size_t u = 0; u < hsize; ++u) {
        dh[u] = 0;
        if (h[u] == 0) continue;
        const float* w = w2.data() + u * k;
        float acc = 0;
        for (size_t j = 0; j < k; ++j) acc += w[j] * g[j];
        dh[u] = hidden_drop_below > 0 ? acc * hidden_keep_scale : acc;
      }
      const float lr = static_cast<float>(eta);
      for (size_t u = 0; u < hsize; ++u) {
        if (h[u] == 0) continue;
        float* w = w2.data() + u * k;
        const float a = lr * h[u];
        for (size_t j = 0; j < k; ++j) w[j] -= a * g[j];
      }
      for (size_t j = 0; j < k; ++j) b2[j] -= lr * g[j];
      for (size_t u = 0; u < hsize; ++u) b1[u] -= lr * dh[u];
      scale *= 1.0 - eta * options.l2;
      const float step_size = static_cast<float>(eta / scale);
      for (size_t f = 0; f < kept.size(); ++f) {
        const float a = step_size * kept_value[f];
        float* w = e.data() + static_cast<size_t>(kept[f]) * hsize;
        for (size_t u = 0; u < hsize; ++u) w[u] -= a * dh[u];
      }
      if (scale < 1e-4) {
        for (float& w : e) w = static_cast<float>(w * scale);
        scale = 1.0;
      }
    }
    epoch_loss /= static_cast<double>(n);
    if (epoch >= options.epochs - options.average_epochs) {
      // Tail averaging: the mean of the weights at the end of the last epochs.
      const float w = static_cast<float>(1.0 / options.average_epochs);
      if (avg_e.empty()) {
        avg_e.assign(e.size(), 0.0f);
        avg_b1.assign(b1.size(), 0.0f);
        avg_w2.assign(w2.size(), 0.0f);
        avg_b2.assign(b2.size(), 0.0f);
      }
      const float ws = static_cast<float>(w * scale);
      for (size_t i = 0; i < e.size(); ++i) avg_e[i] += ws * e[i];
      for (size_t i = 0; i < b1.size(); ++i) avg_b1[i] += w * b1[i];
      for (size_t i = 0; i < w2.size(); ++i) avg_w2[i] += w * w2[i];
      for (size_t i = 0; i < b2.size(); ++i) avg_b2[i] += w * b2[i];
    }
  }
  if (options.average_epochs > 0) {
    e = std::move(avg_e);
    b1 = std::move(avg_b1);
    w2 = std::move(avg_w2);
    b2 = std::move(avg_b2);
    scale = 1.0;
  }
  for (float& w : e) w = static_cast<float>(w * scale);
  member->hidden = options.hidden;
  Quantize(e, hsize, member);
  member->hidden_bias = std::move(b1);
  member->output_weights = std::move(w2);
  member->bias = std::move(b2);
  *last_loss = epoch_loss;
}

}  // namespace omniroute::classification::model
