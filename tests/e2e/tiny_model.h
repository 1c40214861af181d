#pragma once

// A tiny intent model for e2e tests: enough to tell card questions from passcode ones
// (intents card_arrival and passcode_forgotten), trained in milliseconds.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/classification/model/trainer.h"

namespace omniroute::e2e {

inline absl::StatusOr<std::string> TinyCardModelBytes() {
  std::vector<classification::model::Example> examples;
  for (const char* t : {"where is my card", "my card has not arrived", "card still not here",
                        "when will my new card come", "has my card been sent"}) {
    examples.push_back({t, "card_arrival", 0});
  }
  for (const char* t : {"i forgot my passcode", "reset my passcode please", "passcode lost",
                        "how do i change my passcode", "cannot remember passcode"}) {
    examples.push_back({t, "passcode_forgotten", 0});
  }
  auto model = classification::model::TrainIntentModel(examples, {});
  if (!model.ok()) return model.status();
  return model->ToBytes();
}

}  // namespace omniroute::e2e
