#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "services/classification/model/trainer.h"
#include "tools/model/args.h"

// The hyperparameter flags of train and cv: parsing them into TrainOptions, and describing
// options in one line.
namespace omniroute::model_cli {

// The hyperparameter flag names (cv accepts a comma-separated list for each).
extern const std::set<std::string> kHyperFlags;

// TrainOptions from the hyperparameter flags in `args` (defaults for those absent), with `seed`;
// InvalidArgument naming the flag when a value is out of range or the options are invalid.
absl::StatusOr<classification::model::TrainOptions> OptionsFromArgs(const Args& args,
                                                                    uint64_t seed);

// Every option as name=value, e.g. "hash_bits=20 word_ngrams=1-2 ... seed=42".
std::string DescribeOptions(const classification::model::TrainOptions& o);

}  // namespace omniroute::model_cli
