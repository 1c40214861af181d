#pragma once

#include <cstddef>
#include <vector>

#include "services/classification/model/csv.h"

namespace omniroute::model_cli {

// The examples at `indices` (e.g. one side of a Split), in that order.
std::vector<classification::model::Example> Subset(
    const std::vector<classification::model::Example>& all, const std::vector<size_t>& indices);

// Distinct labels among `examples`.
size_t CountLabels(const std::vector<classification::model::Example>& examples);

}  // namespace omniroute::model_cli
