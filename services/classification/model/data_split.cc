#include "services/classification/model/data_split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>

namespace omniroute::classification::model {

void SeededShuffle(std::vector<size_t>* v, std::mt19937_64* rng) {
  for (size_t i = v->size(); i > 1; --i) {
    // The modulo bias is below 2^-40 for any realistic size: irrelevant here.
    const size_t j = static_cast<size_t>((*rng)() % i);
    std::swap((*v)[i - 1], (*v)[j]);
  }
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
