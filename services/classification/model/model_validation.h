#pragma once

#include "absl/status/status.h"
#include "services/classification/model/intent_model.h"

namespace omniroute::classification::model {

// OK when `parts` make a valid model (the rules are listed at ModelParts), else InvalidArgument
// naming the first problem found (e.g. "view 1: member 0: bias: 3 values for 4 labels").
absl::Status ValidateModelParts(const ModelParts& parts);

}  // namespace omniroute::classification::model
