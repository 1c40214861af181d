#include "services/classification/model/trainer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace omniroute::classification::model {
namespace {

// The training set as compressed sparse rows over compact weight rows (not raw buckets), so
// the weights only take (distinct buckets kept) x width floats.
struct Dataset {
  std::vector<uint32_t> offsets;  // example i's features are [offsets[i], offsets[i + 1])
  std::vector<uint32_t> rows;
  std::vector<float> values;
  std::vector<int> labels;
  std::vector<uint32_t> buckets;  // row -> bucket
  std::vector<float> idf;         // row -> IDF (featurizer.idf only)
  float idf_unseen = 0;
};

Dataset BuildDataset(const std::vector<Example>& examples, const Featurizer& featurizer,
                     const std::map<std::string, int>& label_index, int min_df) {
  std::vector<uint32_t> offsets{0}, raw_buckets;
  std::vector<float> raw_values;
  FeaturizerScratch scratch;
  std::vector<SparseFeature> features;
  Dataset d;
  for (const Example& e : examples) {
    featurizer.FeaturizeUnnormalized(e.text, &scratch, &features, /*record_ngrams=*/false);
    for (const SparseFeature& f : features) {
      raw_buckets.push_back(f.bucket);
      raw_values.push_back(f.value);
    }
    offsets.push_back(static_cast<uint32_t>(raw_buckets.size()));
    d.labels.push_back(label_index.at(e.label));
  }
  // Document frequency of every bucket (an example lists a bucket once).
  std::vector<uint32_t> sorted = raw_buckets;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint32_t> distinct, df;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    distinct.push_back(sorted[i]);
    df.push_back(static_cast<uint32_t>(j - i));
    i = j;
  }
  // Rows only for buckets in at least min_df examples: the rarer ones cost memory and mostly
  // memorise single training messages.
  std::vector<int32_t> row_of_distinct(distinct.size(), -1);
  const double n = static_cast<double>(examples.size());
  const bool idf = featurizer.config().idf;
  d.idf_unseen = idf ? static_cast<float>(std::log(1 + n) + 1) : 0;
  for (size_t i = 0; i < distinct.size(); ++i) {
    if (df[i] < static_cast<uint32_t>(min_df)) continue;
    row_of_distinct[i] = static_cast<int32_t>(d.buckets.size());
    d.buckets.push_back(distinct[i]);
    if (idf) d.idf.push_back(static_cast<float>(std::log((1 + n) / (1 + df[i])) + 1));
  }
  // Each example exactly as the model will see it: a dropped bucket is an unseen bucket there,
  // which still counts (with the unseen IDF) in the L2 norm but has no weights.
  d.offsets.push_back(0);
  for (size_t e = 0; e + 1 < offsets.size(); ++e) {
    double norm2 = 0;
    const size_t first = d.rows.size();
    for (uint32_t i = offsets[e]; i < offsets[e + 1]; ++i) {
      const size_t di = static_cast<size_t>(
          std::lower_bound(distinct.begin(), distinct.end(), raw_buckets[i]) - distinct.begin());
      const int32_t row = row_of_distinct[di];
      float v = raw_values[i];
      if (idf) v *= row < 0 ? d.idf_unseen : d.idf[row];
      norm2 += static_cast<double>(v) * v;
      if (row < 0) continue;
      d.rows.push_back(static_cast<uint32_t>(row));
      d.values.push_back(v);
    }
    if (norm2 > 0) {
      const float inv = static_cast<float>(1.0 / std::sqrt(norm2));
      for (size_t i = first; i < d.values.size(); ++i) d.values[i] *= inv;
    }
    d.offsets.push_back(static_cast<uint32_t>(d.rows.size()));
  }
  return d;
}

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

}  // namespace

absl::StatusOr<std::vector<FeaturizerConfig>> ViewsFromSpec(absl::string_view spec,
                                                            const FeaturizerConfig& base) {
  std::vector<FeaturizerConfig> views;
  for (absl::string_view name : absl::StrSplit(spec, '+')) {
    FeaturizerConfig v = base;
    if (name == "word") {
      v.char_across_words = false;
    } else if (name == "words") {
      v.char_ngram_min = v.char_ngram_max = 0;
      v.word_ngram_max = 3;
      v.pair_window = 4;
    } else if (name != "text") {
      return absl::InvalidArgumentError(absl::StrCat(
          "views '", spec, "': '", name, "' is not text, word or words (join views with +)"));
    }
    views.push_back(v);
  }
  return views;
}

void SeededShuffle(std::vector<size_t>* v, std::mt19937_64* rng) {
  for (size_t i = v->size(); i > 1; --i) {
    // The modulo bias is below 2^-40 for any realistic size: irrelevant here.
    const size_t j = static_cast<size_t>((*rng)() % i);
    std::swap((*v)[i - 1], (*v)[j]);
  }
}

absl::Status ValidateTrainOptions(const TrainOptions& o) {
  if (absl::Status s = ValidateFeaturizerConfig(o.featurizer); !s.ok()) return s;
  if (o.epochs < 1 || o.epochs > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("epochs ", o.epochs, " not in 1..1000"));
  }
  if (!(o.learning_rate > 0 && o.learning_rate <= 100)) {
    return absl::InvalidArgumentError("learning rate must be in (0, 100]");
  }
  if (!(o.l2 >= 0 && o.l2 < 1)) return absl::InvalidArgumentError("l2 must be in [0, 1)");
  if (!(o.dropout >= 0 && o.dropout < 1)) {
    return absl::InvalidArgumentError("dropout must be in [0, 1)");
  }
  if (o.members < 1 || o.members > 8) {
    return absl::InvalidArgumentError(absl::StrCat("members ", o.members, " not in 1..8"));
  }
  if (o.min_df < 1) return absl::InvalidArgumentError("min_df must be at least 1");
  if (o.average_epochs < 0 || o.average_epochs > o.epochs) {
    return absl::InvalidArgumentError("average_epochs must be in 0..epochs");
  }
  if (!(o.hidden_dropout >= 0 && o.hidden_dropout < 1)) {
    return absl::InvalidArgumentError("hidden_dropout must be in [0, 1)");
  }
  if (!(o.calibration_fraction >= 0 && o.calibration_fraction <= 0.5)) {
    return absl::InvalidArgumentError("calibration_fraction must be in [0, 0.5]");
  }
  if (!(o.label_smoothing >= 0 && o.label_smoothing < 1)) {
    return absl::InvalidArgumentError("label_smoothing must be in [0, 1)");
  }
  absl::StatusOr<std::vector<FeaturizerConfig>> views = ViewsFromSpec(o.views, o.featurizer);
  if (!views.ok()) return views.status();
  if (views->size() * o.members > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat(views->size(), " views x ", o.members, " members: at most 16 networks"));
  }
  for (const FeaturizerConfig& v : *views) {
    if (absl::Status s = ValidateFeaturizerConfig(v); !s.ok()) return s;
  }
  if (o.hidden < 0 || o.hidden > 4096) {
    return absl::InvalidArgumentError(absl::StrCat("hidden ", o.hidden, " not in 0..4096"));
  }
  return absl::OkStatus();
}

namespace {

// The networks of every view trained on `examples` (labels: the sorted distinct labels).
ModelParts TrainParts(const std::vector<Example>& examples, const TrainOptions& options,
                      TrainStats* stats) {
  std::map<std::string, int> label_index;
  for (const Example& e : examples) label_index.emplace(e.label, 0);
  std::vector<std::string> labels;
  for (auto& [label, index] : label_index) {
    index = static_cast<int>(labels.size());
    labels.push_back(label);
  }
  const size_t k = labels.size();
  // Valid: checked by ValidateTrainOptions.
  const std::vector<FeaturizerConfig> configs = *ViewsFromSpec(options.views, options.featurizer);
  ModelParts parts;
  double loss = 0;
  size_t rows = 0;
  int trained = 0;
  for (const FeaturizerConfig& config : configs) {
    const Featurizer featurizer(config);
    Dataset d = BuildDataset(examples, featurizer, label_index, options.min_df);
    ModelView view;
    // Members differ by their seed (initial weights, order, dropout) and by their view, which
    // is what makes their average better than any one of them.
    for (int i = 0; i < options.members; ++i, ++trained) {
      ModelMember member;
      double member_loss = 0;
      const uint64_t seed = options.seed + static_cast<uint64_t>(trained) * 0x9E3779B97F4A7C15ULL;
      if (options.hidden > 0) {
        TrainHiddenLayer(d, options, seed, k, &member, &member_loss);
      } else {
        TrainLinear(d, options, seed, k, &member, &member_loss);
      }
      loss += member_loss;
      view.members.push_back(std::move(member));
    }
    rows += d.buckets.size();
    view.featurizer = config;
    view.buckets = std::move(d.buckets);
    view.idf = std::move(d.idf);
    view.idf_unseen = d.idf_unseen;
    parts.views.push_back(std::move(view));
  }
  if (stats != nullptr) {
    stats->examples = examples.size();
    stats->labels = k;
    stats->rows = rows;
    stats->final_epoch_loss = loss / trained;
  }
  parts.labels = std::move(labels);
  return parts;
}

// The temperature that minimises the log loss of `model` on `examples` (see
// ModelParts::temperature), by golden-section search over ln T in [ln 0.05, ln 20]; the loss is
// convex in 1/T.
float FitTemperature(const IntentModel& model, const std::vector<Example>& examples) {
  std::map<std::string, int> label_index;
  for (size_t i = 0; i < model.labels().size(); ++i)
    label_index[model.labels()[i]] = static_cast<int>(i);
  const size_t k = model.labels().size();
  std::vector<double> log_p;  // examples x labels
  std::vector<int> truth;
  PredictScratch s;
  for (const Example& e : examples) {
    model.Probabilities(e.text, &s);
    for (float p : s.scores) log_p.push_back(std::log(std::max(static_cast<double>(p), 1e-30)));
    truth.push_back(label_index.at(e.label));
  }
  auto loss = [&](double log_t) {
    const double inv_t = std::exp(-log_t);
    double total = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
      const double* row = log_p.data() + i * k;
      const double max = *std::max_element(row, row + k) * inv_t;
      double sum = 0;
      for (size_t j = 0; j < k; ++j) sum += std::exp(row[j] * inv_t - max);
      total += max + std::log(sum) - row[truth[i]] * inv_t;
    }
    return total;
  };
  const double golden = (std::sqrt(5.0) - 1) / 2;
  double lo = std::log(0.05), hi = std::log(20.0);
  double a = hi - golden * (hi - lo), b = lo + golden * (hi - lo);
  double fa = loss(a), fb = loss(b);
  for (int i = 0; i < 50; ++i) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - golden * (hi - lo);
      fa = loss(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + golden * (hi - lo);
      fb = loss(b);
    }
  }
  return static_cast<float>(std::exp((lo + hi) / 2));
}

}  // namespace

absl::StatusOr<IntentModel> TrainIntentModel(const std::vector<Example>& examples,
                                             const TrainOptions& options, std::string metadata,
                                             TrainStats* stats) {
  if (absl::Status s = ValidateTrainOptions(options); !s.ok()) return s;
  if (examples.empty()) return absl::InvalidArgumentError("no training examples");
  float temperature = 1;
  if (options.calibration_fraction > 0) {
    // Fit the temperature on a slice the networks did not see, then train again on everything:
    // twice the training time for a confidence that means what it says.
    const Split split = StratifiedSplit(examples, options.calibration_fraction, options.seed);
    if (!split.holdout.empty()) {
      std::vector<Example> fit, held;
      for (size_t i : split.train) fit.push_back(examples[i]);
      for (size_t i : split.holdout) held.push_back(examples[i]);
      absl::StatusOr<IntentModel> m = IntentModel::Create(TrainParts(fit, options, nullptr));
      if (!m.ok()) return m.status();
      temperature = FitTemperature(*m, held);
    }
  }
  ModelParts parts = TrainParts(examples, options, stats);
  parts.temperature = temperature;
  parts.metadata = std::move(metadata);
  return IntentModel::Create(std::move(parts));
}

Split StratifiedSplit(const std::vector<Example>& examples, double holdout_fraction,
                      uint64_t seed) {
  Split split;
  std::map<std::string, std::vector<size_t>> by_label;
  for (size_t i = 0; i < examples.size(); ++i) by_label[examples[i].label].push_back(i);
  std::mt19937_64 rng(seed);
  // Labels in sorted order and each label's examples in input order, so the split depends only
  // on the data and the seed.
  for (auto& [label, indices] : by_label) {
    SeededShuffle(&indices, &rng);
    size_t held = static_cast<size_t>(std::llround(indices.size() * holdout_fraction));
    if (held >= indices.size()) held = indices.size() - 1;
    split.holdout.insert(split.holdout.end(), indices.begin(), indices.begin() + held);
    split.train.insert(split.train.end(), indices.begin() + held, indices.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.holdout.begin(), split.holdout.end());
  return split;
}

std::vector<int> StratifiedFolds(const std::vector<Example>& examples, int folds, uint64_t seed) {
  std::vector<int> fold(examples.size(), 0);
  std::map<std::string, std::vector<size_t>> by_label;
  for (size_t i = 0; i < examples.size(); ++i) by_label[examples[i].label].push_back(i);
  std::mt19937_64 rng(seed);
  int next = 0;
  for (auto& [label, indices] : by_label) {
    SeededShuffle(&indices, &rng);
    // Continue the round-robin across labels so that small labels do not all start at fold 0.
    for (size_t i : indices) {
      fold[i] = next;
      next = (next + 1) % folds;
    }
  }
  return fold;
}

}  // namespace omniroute::classification::model
