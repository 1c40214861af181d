#include "tools/model/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>

#include "absl/strings/str_format.h"

namespace omniroute::model_cli {

using classification::model::Evaluation;
using classification::model::Example;
using classification::model::IntentModel;
using classification::model::PredictScratch;

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs the model over `examples`; fills `eval` (and `calibration` when given) and returns the
// mean microseconds per message.
double EvaluateModel(const IntentModel& model, const std::vector<Example>& examples,
                     Evaluation* eval, Calibration* calibration) {
  PredictScratch scratch;
  std::map<std::string, int> index;
  for (size_t i = 0; i < model.labels().size(); ++i) index[model.labels()[i]] = static_cast<int>(i);
  constexpr int kBins = 10;
  double bin_count[kBins] = {}, bin_confidence[kBins] = {}, bin_correct[kBins] = {};
  size_t known = 0;
  double elapsed = 0;
  Calibration c;
  for (const Example& e : examples) {
    const double start = WallSeconds();
    const int best = model.PredictIndex(e.text, &scratch);
    elapsed += WallSeconds() - start;
    eval->Add(e.label, model.labels()[best]);
    const double confidence = scratch.scores[best];
    const int bin = std::min(kBins - 1, static_cast<int>(confidence * kBins));
    bin_count[bin] += 1;
    bin_confidence[bin] += confidence;
    bin_correct[bin] += model.labels()[best] == e.label;
    c.confidence += confidence / examples.size();
    if (auto it = index.find(e.label); it != index.end()) {
      c.log_loss -= std::log(std::max(static_cast<double>(scratch.scores[it->second]), 1e-30));
      ++known;
    }
  }
  if (known > 0) c.log_loss /= known;
  for (int b = 0; b < kBins; ++b) {
    c.ece += std::fabs(bin_confidence[b] - bin_correct[b]) / std::max<size_t>(examples.size(), 1);
  }
  if (calibration != nullptr) *calibration = c;
  return examples.empty() ? 0 : elapsed * 1e6 / examples.size();
}

std::string FormatCalibration(const Calibration& c, float temperature) {
  return absl::StrFormat(
      "calibration: temperature %.3f, mean confidence %.4f, log loss %.4f, ECE %.4f\n", temperature,
      c.confidence, c.log_loss, c.ece);
}

}  // namespace omniroute::model_cli
