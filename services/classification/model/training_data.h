#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "services/classification/model/csv.h"
#include "services/classification/model/featurizer.h"

namespace omniroute::classification::model {

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

// The examples featurised by `featurizer` (labels numbered by `label_index`), with weight rows
// only for the buckets seen in at least `min_df` examples; each example IDF-weighted (with the
// featurizer's idf) and L2-normalised exactly as the model will see it.
Dataset BuildDataset(const std::vector<Example>& examples, const Featurizer& featurizer,
                     const std::map<std::string, int>& label_index, int min_df);

}  // namespace omniroute::classification::model
