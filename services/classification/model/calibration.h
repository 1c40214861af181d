#pragma once

#include <vector>

#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"

namespace omniroute::classification::model {

// The temperature that minimises the log loss of `model` on `examples` (see
// ModelParts::temperature), by golden-section search over ln T in [ln 0.05, ln 20]; the loss is
// convex in 1/T. Every example's label must be one of the model's.
float FitTemperature(const IntentModel& model, const std::vector<Example>& examples);

}  // namespace omniroute::classification::model
