#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "services/classification/model/csv.h"

namespace omniroute::classification::model {

// Messages of `intents` (3 or 6) intents: each message is six words, a third of them the
// intent's keywords and the rest shared filler words, then one more keyword.
inline std::vector<Example> Synthetic(int per_label, uint64_t seed, size_t intents = 3) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> all = {
      {"card_lost", {"lost", "stolen", "card", "missing"}},
      {"refund", {"refund", "money", "back", "return"}},
      {"greeting", {"hello", "hi", "morning", "hey"}},
      {"address", {"address", "moved", "street", "house"}},
      {"pin", {"pin", "code", "blocked", "digits"}},
      {"fees", {"fee", "charge", "cost", "price"}},
  };
  const std::vector<std::string> filler = {"i",   "my",    "the",  "please", "help", "can",
                                           "you", "today", "need", "want",   "a",    "is"};
  std::mt19937_64 rng(seed);
  std::vector<Example> out;
  for (int i = 0; i < per_label; ++i) {
    for (size_t k = 0; k < intents && k < all.size(); ++k) {
      const auto& [label, words] = all[k];
      std::string text;
      for (int w = 0; w < 6; ++w) {
        const bool keyword = rng() % 3 == 0;
        const auto& pool = keyword ? words : filler;
        text += pool[rng() % pool.size()] + " ";
      }
      text += words[rng() % words.size()];  // at least one keyword
      out.push_back(Example{text, label, 0});
    }
  }
  return out;
}

}  // namespace omniroute::classification::model
