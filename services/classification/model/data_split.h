#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "services/classification/model/csv.h"

// Seeded, stratified splits of labelled examples (held-out sets, cross-validation folds).
namespace omniroute::classification::model {

struct Split {
  std::vector<size_t> train;    // indices into the examples, ascending
  std::vector<size_t> holdout;  // ascending
};

// Stratified random split: for each label, round(count * holdout_fraction) of its examples,
// chosen by a seeded shuffle, are held out (never all of them: a label keeps at least one
// training example). holdout_fraction 0 holds out nothing.
Split StratifiedSplit(const std::vector<Example>& examples, double holdout_fraction, uint64_t seed);

// Stratified k-fold assignment: fold (0..folds-1) of each example; each label's examples are
// shuffled (seeded) and dealt round-robin, so every fold gets an even share of every label.
std::vector<int> StratifiedFolds(const std::vector<Example>& examples, int folds, uint64_t seed);

// Fisher-Yates with the raw output of mt19937_64 (std::shuffle and the std distributions are
// implementation-defined, so they could differ between standard libraries).
void SeededShuffle(std::vector<size_t>* v, std::mt19937_64* rng);

}  // namespace omniroute::classification::model
