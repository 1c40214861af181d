#include "tools/model/example_sets.h"

#include <set>
#include <string>

namespace omniroute::model_cli {

using classification::model::Example;

std::vector<Example> Subset(const std::vector<Example>& all, const std::vector<size_t>& indices) {
  std::vector<Example> out;
  out.reserve(indices.size());
  for (size_t i : indices) out.push_back(all[i]);
  return out;
}

size_t CountLabels(const std::vector<Example>& examples) {
  std::set<std::string> labels;
  for (const Example& e : examples) labels.insert(e.label);
  return labels.size();
}

}  // namespace omniroute::model_cli
