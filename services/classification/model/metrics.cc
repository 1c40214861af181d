#include "services/classification/model/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace omniroute::classification::model {

Evaluation::Evaluation(std::vector<std::string> model_labels)
    : known_(model_labels.begin(), model_labels.end()) {}

void Evaluation::Add(absl::string_view truth, absl::string_view predicted) {
  ++total_;
  if (truth == predicted) ++correct_;
  if (known_.find(truth) == known_.end()) ++unknown_[std::string(truth)];
  ++confusion_[{std::string(truth), std::string(predicted)}];
}

std::vector<ClassMetrics> Evaluation::PerClass() const {
  std::map<std::string, ClassMetrics> by_label;
  for (const auto& [pair, count] : confusion_) {
    ClassMetrics& t = by_label[pair.first];
    t.support += count;
    ClassMetrics& p = by_label[pair.second];
    p.predicted += count;
    if (pair.first == pair.second) p.correct += count;
  }
  std::vector<ClassMetrics> out;
  for (auto& [label, m] : by_label) {
    m.label = label;
    m.precision = m.predicted == 0 ? 0 : static_cast<double>(m.correct) / m.predicted;
    m.recall = m.support == 0 ? 0 : static_cast<double>(m.correct) / m.support;
    m.f1 = m.precision + m.recall == 0 ? 0 : 2 * m.precision * m.recall / (m.precision + m.recall);
    out.push_back(m);
  }
  return out;
}

double Evaluation::macro_f1() const {
  const std::vector<ClassMetrics> classes = PerClass();
  if (classes.empty()) return 0;
  double sum = 0;
  for (const ClassMetrics& m : classes) sum += m.f1;
  return sum / classes.size();
}

std::vector<ConfusedPair> Evaluation::MostConfused(int n) const {
  std::vector<ConfusedPair> pairs;
  for (const auto& [pair, count] : confusion_) {
    if (pair.first != pair.second) pairs.push_back(ConfusedPair{pair.first, pair.second, count});
  }
  // Stable: equal counts keep the (truth, predicted) order of the map.
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const ConfusedPair& a, const ConfusedPair& b) { return a.count > b.count; });
  if (static_cast<int>(pairs.size()) > n) pairs.resize(std::max(n, 0));
  return pairs;
}

std::string Evaluation::Format(int top_pairs) const {
  std::string out;
  absl::StrAppendFormat(&out, "examples: %d\ncorrect: %d\naccuracy: %.4f\nmacro_f1: %.4f\n", total_,
                        correct_, accuracy(), macro_f1());
  const std::vector<ClassMetrics> classes = PerClass();
  size_t width = 5;
  for (const ClassMetrics& m : classes) width = std::max(width, m.label.size());
  const int w = static_cast<int>(width);
  absl::StrAppendFormat(&out, "\nper class:\n%-*s  precision  recall      f1  support\n", w,
                        "label");
  for (const ClassMetrics& m : classes) {
    absl::StrAppendFormat(&out, "%-*s  %9.4f  %6.4f  %6.4f  %7d\n", w, m.label, m.precision,
                          m.recall, m.f1, m.support);
  }
  const std::vector<ConfusedPair> pairs = MostConfused(top_pairs);
  absl::StrAppendFormat(&out, "\nmost confused (true -> predicted: count), top %d:\n", top_pairs);
  if (pairs.empty()) out += "  (none)\n";
  for (const ConfusedPair& p : pairs) {
    absl::StrAppendFormat(&out, "  %s -> %s: %d\n", p.truth, p.predicted, p.count);
  }
  if (!unknown_.empty()) {
    int rows = 0;
    for (const auto& [label, count] : unknown_) rows += count;
    absl::StrAppendFormat(&out, "\nlabels unknown to the model (%d rows, all counted as errors):\n",
                          rows);
    for (const auto& [label, count] : unknown_) {
      absl::StrAppendFormat(&out, "  %s: %d\n", label, count);
    }
  }
  return out;
}

}  // namespace omniroute::classification::model
