#pragma once

// Banking77 subsets and small models trained on them, for the tenant model tests.

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/trainer.h"

namespace omniroute::e2e {

using IntentSet = std::set<std::string>;

// The Banking77 messages of some intents, each intent's split in file order: every fifth
// message held out, the rest for training.
class Banking77Subsets {
 public:
  explicit Banking77Subsets(const std::vector<IntentSet>& sets) {
    auto all = classification::model::ReadLabelledCsvFile(OMNIROUTE_BANKING77_CSV);
    EXPECT_TRUE(all.ok()) << all.status();
    if (!all.ok()) return;
    std::map<std::string, int> seen;
    for (const auto& e : *all) {
      (seen[e.label]++ % 5 == 4 ? held_ : train_)[e.label].push_back(e);
    }
  }
  std::vector<classification::model::Example> train(const IntentSet& intents) const {
    return Of(train_, intents);
  }
  std::vector<classification::model::Example> held(const IntentSet& intents) const {
    return Of(held_, intents);
  }

 private:
  using ByLabel = std::map<std::string, std::vector<classification::model::Example>>;
  // The intents' messages interleaved (one of each intent in turn), so a prefix mixes them.
  static std::vector<classification::model::Example> Of(const ByLabel& by,
                                                        const IntentSet& intents) {
    std::vector<classification::model::Example> out;
    for (size_t i = 0;; ++i) {
      size_t added = 0;
      for (const auto& intent : intents) {
        auto it = by.find(intent);
        if (it != by.end() && i < it->second.size()) {
          out.push_back(it->second[i]);
          ++added;
        }
      }
      if (added == 0) return out;
    }
  }
  ByLabel train_, held_;
};

// Trains a model (default options, `seed`) on `examples` and writes it to `path`; returns the
// path ("" and a test failure when it could not).
inline std::string TrainModelFile(const std::vector<classification::model::Example>& examples,
                                  const std::string& path, uint64_t seed) {
  classification::model::TrainOptions options;
  options.seed = seed;
  auto model = classification::model::TrainIntentModel(examples, options);
  EXPECT_TRUE(model.ok()) << model.status();
  if (!model.ok()) return "";
  auto st = model->ToFile(path);
  EXPECT_TRUE(st.ok()) << st;
  return st.ok() ? path : "";
}

// Writes `examples` as text,label CSV.
inline void WriteCsv(const std::vector<classification::model::Example>& examples,
                     const std::string& path) {
  std::ofstream out(path);
  out << "text,label\n";
  for (const auto& e : examples) {
    std::string quoted = "\"";
    for (char c : e.text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    out << quoted << "\"," << e.label << "\n";
  }
}

// The number printed right after `marker` in `text` (its first or last occurrence); -1 when
// absent.
inline double AccuracyAfter(const std::string& text, const std::string& marker, bool last = false) {
  auto at = last ? text.rfind(marker) : text.find(marker);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no '" << marker << "' in:\n" << text;
    return -1;
  }
  return std::atof(text.c_str() + at + marker.size());
}

}  // namespace omniroute::e2e
