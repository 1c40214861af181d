#include "services/classification/model/training_data.h"

#include <algorithm>
#include <cmath>

namespace omniroute::classification::model {

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

}  // namespace omniroute::classification::model
