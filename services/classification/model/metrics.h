#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace omniroute::classification::model {

struct ClassMetrics {
  std::string label;
  int support = 0;    // examples whose true label this is
  int predicted = 0;  // examples predicted as this label
  int correct = 0;
  double precision = 0;  // correct / predicted (0 when never predicted)
  double recall = 0;     // correct / support (0 when no support)
  double f1 = 0;
};

struct ConfusedPair {
  std::string truth;
  std::string predicted;
  int count = 0;
};

// Accumulates (true label, predicted label) pairs and reports accuracy, macro-F1, per-class
// precision/recall/F1 and the most frequent confusions. True labels the model does not know are
// counted as errors and listed separately.
class Evaluation {
 public:
  explicit Evaluation(std::vector<std::string> model_labels);

  void Add(absl::string_view truth, absl::string_view predicted);

  int total() const { return total_; }
  int correct() const { return correct_; }
  double accuracy() const { return total_ == 0 ? 0 : static_cast<double>(correct_) / total_; }
  // Unweighted mean of the per-class F1 over every label that occurs as a true or a predicted
  // label (as scikit-learn's f1_score(average="macro")).
  double macro_f1() const;
  // Those classes, sorted by label.
  std::vector<ClassMetrics> PerClass() const;
  // Most frequent (truth, predicted) pairs with truth != predicted; ties by label order.
  std::vector<ConfusedPair> MostConfused(int n) const;
  // True labels unknown to the model, with their counts.
  const std::map<std::string, int>& unknown_labels() const { return unknown_; }

  // The text report: "accuracy: 0.xxxx", "macro_f1: 0.xxxx", the per-class table and the
  // `top_pairs` most confused pairs (and unknown labels, if any).
  std::string Format(int top_pairs = 10) const;

 private:
  std::set<std::string, std::less<>> known_;
  std::map<std::pair<std::string, std::string>, int> confusion_;
  std::map<std::string, int> unknown_;
  int total_ = 0;
  int correct_ = 0;
};

}  // namespace omniroute::classification::model
