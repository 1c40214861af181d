#include "services/classification/model/calibration.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace omniroute::classification::model {

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

}  // namespace omniroute::classification::model
