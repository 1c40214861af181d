#pragma once

// Nearest-rank percentiles, shared by the demo's wait figures and the bench's latency table.
// Header-only so that it needs no change to the omniroute_sim library.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace omniroute::sim {

// The nearest-rank p-th percentile (p in 0..100) of `sorted`, which must be in ascending order:
// p = 0 gives the smallest value, p = 100 the largest. NaN when `sorted` is empty.
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nan("");
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace omniroute::sim
