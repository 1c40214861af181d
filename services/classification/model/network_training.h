#pragma once

#include <cstddef>
#include <cstdint>

#include "services/classification/model/intent_model.h"
#include "services/classification/model/trainer.h"
#include "services/classification/model/training_data.h"

// SGD for one member network (see TrainOptions): each trains on a Dataset with its own `seed`
// for `k` labels, fills `member` (input layer quantised) and sets `last_loss` to the mean
// cross-entropy of the last epoch.
namespace omniroute::classification::model {

// Multinomial logistic regression (options.hidden == 0).
void TrainLinear(const Dataset& d, const TrainOptions& options, uint64_t seed, size_t k,
                 ModelMember* member, double* last_loss);

// One hidden ReLU layer of options.hidden units.
void TrainHiddenLayer(const Dataset& d, const TrainOptions& options, uint64_t seed, size_t k,
                      ModelMember* member, double* last_loss);

}  // namespace omniroute::classification::model
