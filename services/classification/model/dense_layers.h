#pragma once

#include <cstddef>
#include <cstdint>

#include "services/classification/model/featurizer.h"

namespace omniroute::classification::model {

// The two loops inference spends its arithmetic in (see IntentModel). Each comes as a portable
// version and, on x86-64 CPUs with AVX2 or AVX-512, one that keeps its running sums in vector
// registers across rows or units instead of loading and storing them for each one (AVX-512:
// 128 columns at once, so each weight row is read in one pass). Both versions do the same
// multiplications and additions in the same order per output (no FMA), so their results are
// bit-identical and predictions do not depend on the CPU.

// out[j] += (features[i].value * row_scale[r]) * weights[r * width + j] for every i in order whose
// row r = rows[i] is not negative, for j in [0, width).
void AddWeightedRowsInt8(const SparseFeature* features, const int32_t* rows, size_t n,
                         const int8_t* weights, const float* row_scale, size_t width, float* out);

// For each unit u in order: active[u] = h[u] > 0, and if so scores[j] += h[u] * weights[u * k + j]
// for j in [0, k). The output layer of a ReLU network.
void AddActiveUnits(const float* h, size_t units, const float* weights, size_t k, float* scores,
                    uint8_t* active);

// Which kernels the two functions above run: the widest the CPU has (AVX-512, else AVX2, else
// the portable loops), or at most AVX2, or the portable loops (for tests: every version must give
// the same bits). Process-wide; not for use while another thread predicts.
enum class DenseKernels { kWidest, kAvx2, kPortable };
void SetDenseKernels(DenseKernels kernels);

// The portable versions (what the two functions above run on CPUs without AVX2).
void AddWeightedRowsInt8Portable(const SparseFeature* features, const int32_t* rows, size_t n,
                                 const int8_t* weights, const float* row_scale, size_t width,
                                 float* out);
void AddActiveUnitsPortable(const float* h, size_t units, const float* weights, size_t k,
                            float* scores, uint8_t* active);

}  // namespace omniroute::classification::model
