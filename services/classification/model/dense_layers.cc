#include "services/classification/model/dense_layers.h"

#include <atomic>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define OMNIROUTE_DENSE_AVX2 1
#endif

// Whatever the build flags, a multiplication and the addition after it are never fused into one
// FMA (rounded once instead of twice; GCC would fuse them in the AVX-512 functions, whose target
// implies FMA): every version of the kernels gives the same bits.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace omniroute::classification::model {
namespace {

// The rows are scattered over the matrix: ask for row i + kAhead while adding row i.
constexpr size_t kAhead = 4;

void PrefetchRow(const int32_t* rows, size_t i, size_t n, const int8_t* weights,
                 const float* row_scale, size_t width) {
  if (i + kAhead >= n || rows[i + kAhead] < 0) return;
  const size_t next_row = static_cast<size_t>(rows[i + kAhead]);
  const int8_t* next = weights + next_row * width;
  for (size_t line = 0; line < width; line += 64) __builtin_prefetch(next + line);
  __builtin_prefetch(row_scale + next_row);
}

#ifdef OMNIROUTE_DENSE_AVX2

// Columns [full, width) of AddWeightedRowsInt8, the ones left over by the vector blocks.
void AddTailColumns(const SparseFeature* features, const int32_t* rows, size_t n,
                    const int8_t* weights, const float* row_scale, size_t width, size_t full,
                    float* out) {
  if (full == width) return;
  for (size_t i = 0; i < n; ++i) {
    const int32_t r = rows[i];
    if (r < 0) continue;
    const float a = features[i].value * row_scale[r];
    const int8_t* w = weights + static_cast<size_t>(r) * width;
    for (size_t j = full; j < width; ++j) out[j] += a * static_cast<float>(w[j]);
  }
}

using RowsBlock = void (*)(const SparseFeature*, const int32_t*, size_t, const int8_t*,
                           const float*, size_t, size_t, bool, float*);
using UnitsBlock = void (*)(const float*, size_t, const float*, size_t, size_t, int, const uint8_t*,
                            float*);

// AddWeightedRowsInt8 with blocks of `lanes` columns per register: blocks[C] adds C registers'
// columns at a time (up to 8), over all rows; then the columns left over.
void RowsByBlocks(const RowsBlock* blocks, size_t lanes, const SparseFeature* features,
                  const int32_t* rows, size_t n, const int8_t* weights, const float* row_scale,
                  size_t width, float* out) {
  const size_t full = width / lanes * lanes;
  bool prefetch = true;  // the first pass over the rows brings them in
  for (size_t c0 = 0; c0 < full; c0 += 8 * lanes) {
    const size_t chunks = (full - c0) / lanes < 8 ? (full - c0) / lanes : 8;
    blocks[chunks](features, rows, n, weights, row_scale, width, c0, prefetch, out);
    prefetch = false;
  }
  AddTailColumns(features, rows, n, weights, row_scale, width, full, out);
}

// AddActiveUnits with blocks of `lanes` labels per register, the last one masked at k.
void UnitsByBlocks(const UnitsBlock* blocks, size_t lanes, const float* h, size_t units,
                   const float* weights, size_t k, float* scores, uint8_t* active) {
  for (size_t u = 0; u < units; ++u) active[u] = h[u] > 0;
  for (size_t c0 = 0; c0 < k; c0 += 8 * lanes) {
    const size_t left = k - c0;
    const size_t chunks = left >= 8 * lanes ? 8 : (left + lanes - 1) / lanes;
    const int last_lanes =
        static_cast<int>(left >= 8 * lanes ? lanes : left - lanes * (chunks - 1));
    blocks[chunks](h, units, weights, k, c0, last_lanes, active, scores);
  }
}

// Columns [c0, c0 + 8 * C) of AddWeightedRowsInt8: C running sums of 8 lanes stay in registers
// over all rows.
template <int C>
__attribute__((target("avx2"))) void RowsBlockAvx2(const SparseFeature* features,
                                                   const int32_t* rows, size_t n,
                                                   const int8_t* weights, const float* row_scale,
                                                   size_t width, size_t c0, bool prefetch,
                                                   float* out) {
  __m256 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm256_loadu_ps(out + c0 + 8 * c);
  for (size_t i = 0; i < n; ++i) {
    if (prefetch) PrefetchRow(rows, i, n, weights, row_scale, width);
    const int32_t r = rows[i];
    if (r < 0) continue;
    const __m256 a = _mm256_set1_ps(features[i].value * row_scale[r]);
    const int8_t* w = weights + static_cast<size_t>(r) * width + c0;
    for (int c = 0; c < C; ++c) {
      const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + 8 * c));
      const __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
      acc[c] = _mm256_add_ps(acc[c], _mm256_mul_ps(a, x));
    }
  }
  for (int c = 0; c < C; ++c) _mm256_storeu_ps(out + c0 + 8 * c, acc[c]);
}

// Labels [c0, c0 + 8 * C) of AddActiveUnits, of which the last 8 have only `last_lanes` lanes
// (8 unless the block ends at k): C running sums stay in registers over all active units. Masked
// loads do not touch the memory of masked-off lanes. (The mask is built here rather than passed:
// a 256-bit argument would keep GCC from clearing the upper halves of the registers on return,
// and SSE code after that, such as libm's, runs much slower.)
template <int C>
__attribute__((target("avx2"))) void UnitsBlockAvx2(const float* h, size_t units,
                                                    const float* weights, size_t k, size_t c0,
                                                    int last_lanes, const uint8_t* active,
                                                    float* scores) {
  const __m256i tail =
      _mm256_cmpgt_epi32(_mm256_set1_epi32(last_lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  __m256 acc[C];
  for (int c = 0; c + 1 < C; ++c) acc[c] = _mm256_loadu_ps(scores + c0 + 8 * c);
  acc[C - 1] = _mm256_maskload_ps(scores + c0 + 8 * (C - 1), tail);
  for (size_t u = 0; u < units; ++u) {
    if (!active[u]) continue;
    const __m256 hu = _mm256_set1_ps(h[u]);
    const float* w = weights + u * k + c0;
    for (int c = 0; c + 1 < C; ++c) {
      acc[c] = _mm256_add_ps(acc[c], _mm256_mul_ps(hu, _mm256_loadu_ps(w + 8 * c)));
    }
    acc[C - 1] =
        _mm256_add_ps(acc[C - 1], _mm256_mul_ps(hu, _mm256_maskload_ps(w + 8 * (C - 1), tail)));
  }
  for (int c = 0; c + 1 < C; ++c) _mm256_storeu_ps(scores + c0 + 8 * c, acc[c]);
  _mm256_maskstore_ps(scores + c0 + 8 * (C - 1), tail, acc[C - 1]);
}

// The same two kernels with 512-bit registers: 128 columns (a whole hidden layer of the default
// model) or 128 labels in one pass, so each weight row is read once, in one sweep over the rows.
template <int C>
__attribute__((target("avx512f"))) void RowsBlockAvx512(const SparseFeature* features,
                                                        const int32_t* rows, size_t n,
                                                        const int8_t* weights,
                                                        const float* row_scale, size_t width,
                                                        size_t c0, bool prefetch, float* out) {
  constexpr __mmask16 kAll = 0xFFFF;
  __m512 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm512_loadu_ps(out + c0 + 16 * c);
  for (size_t i = 0; i < n; ++i) {
    if (prefetch) PrefetchRow(rows, i, n, weights, row_scale, width);
    const int32_t r = rows[i];
    if (r < 0) continue;
    const __m512 a = _mm512_set1_ps(features[i].value * row_scale[r]);
    const int8_t* w = weights + static_cast<size_t>(r) * width + c0;
    for (int c = 0; c < C; ++c) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 16 * c));
      // The zero-masked forms with every lane on are the plain conversions; the plain ones start
      // from _mm512_undefined_*, which GCC 12 warns about (-Wmaybe-uninitialized).
      const __m512 x = _mm512_maskz_cvtepi32_ps(kAll, _mm512_maskz_cvtepi8_epi32(kAll, bytes));
      acc[c] = _mm512_add_ps(acc[c], _mm512_mul_ps(a, x));
    }
  }
  for (int c = 0; c < C; ++c) _mm512_storeu_ps(out + c0 + 16 * c, acc[c]);
}

template <int C>
__attribute__((target("avx512f"))) void UnitsBlockAvx512(const float* h, size_t units,
                                                         const float* weights, size_t k, size_t c0,
                                                         int last_lanes, const uint8_t* active,
                                                         float* scores) {
  const __mmask16 tail = static_cast<__mmask16>((1u << last_lanes) - 1);
  __m512 acc[C];
  for (int c = 0; c + 1 < C; ++c) acc[c] = _mm512_loadu_ps(scores + c0 + 16 * c);
  acc[C - 1] = _mm512_maskz_loadu_ps(tail, scores + c0 + 16 * (C - 1));
  for (size_t u = 0; u < units; ++u) {
    if (!active[u]) continue;
    const __m512 hu = _mm512_set1_ps(h[u]);
    const float* w = weights + u * k + c0;
    for (int c = 0; c + 1 < C; ++c) {
      acc[c] = _mm512_add_ps(acc[c], _mm512_mul_ps(hu, _mm512_loadu_ps(w + 16 * c)));
    }
    acc[C - 1] =
        _mm512_add_ps(acc[C - 1], _mm512_mul_ps(hu, _mm512_maskz_loadu_ps(tail, w + 16 * (C - 1))));
  }
  for (int c = 0; c + 1 < C; ++c) _mm512_storeu_ps(scores + c0 + 16 * c, acc[c]);
  _mm512_mask_storeu_ps(scores + c0 + 16 * (C - 1), tail, acc[C - 1]);
}

// Block tables: entry C adds C registers' worth of columns or labels at a time.
// clang-format off
constexpr RowsBlock kRowsAvx2[] = {nullptr, RowsBlockAvx2<1>, RowsBlockAvx2<2>, RowsBlockAvx2<3>,
    RowsBlockAvx2<4>, RowsBlockAvx2<5>, RowsBlockAvx2<6>, RowsBlockAvx2<7>, RowsBlockAvx2<8>};
constexpr UnitsBlock kUnitsAvx2[] = {nullptr, UnitsBlockAvx2<1>, UnitsBlockAvx2<2>,
    UnitsBlockAvx2<3>, UnitsBlockAvx2<4>, UnitsBlockAvx2<5>, UnitsBlockAvx2<6>, UnitsBlockAvx2<7>,
    UnitsBlockAvx2<8>};
constexpr RowsBlock kRowsAvx512[] = {nullptr, RowsBlockAvx512<1>, RowsBlockAvx512<2>,
    RowsBlockAvx512<3>, RowsBlockAvx512<4>, RowsBlockAvx512<5>, RowsBlockAvx512<6>,
    RowsBlockAvx512<7>, RowsBlockAvx512<8>};
constexpr UnitsBlock kUnitsAvx512[] = {nullptr, UnitsBlockAvx512<1>, UnitsBlockAvx512<2>,
    UnitsBlockAvx512<3>, UnitsBlockAvx512<4>, UnitsBlockAvx512<5>, UnitsBlockAvx512<6>,
    UnitsBlockAvx512<7>, UnitsBlockAvx512<8>};
// clang-format on

bool HasAvx2() {
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return avx2;
}

bool HasAvx512() {
  static const bool avx512 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return avx512;
}

std::atomic<DenseKernels> chosen{DenseKernels::kWidest};

bool UseAvx512() {
  return chosen.load(std::memory_order_relaxed) == DenseKernels::kWidest && HasAvx512();
}
bool UseAvx2() {
  return chosen.load(std::memory_order_relaxed) != DenseKernels::kPortable && HasAvx2();
}

#endif  // OMNIROUTE_DENSE_AVX2

}  // namespace

void SetDenseKernels(DenseKernels kernels) {
#ifdef OMNIROUTE_DENSE_AVX2
  chosen.store(kernels, std::memory_order_relaxed);
#else
  (void)kernels;
#endif
}

void AddWeightedRowsInt8Portable(const SparseFeature* features, const int32_t* rows, size_t n,
                                 const int8_t* weights, const float* row_scale, size_t width,
                                 float* out) {
  for (size_t i = 0; i < n; ++i) {
    PrefetchRow(rows, i, n, weights, row_scale, width);
    const int32_t r = rows[i];
    if (r < 0) continue;
    const float a = features[i].value * row_scale[r];
    const int8_t* __restrict w = weights + static_cast<size_t>(r) * width;
    float* __restrict y = out;
    for (size_t j = 0; j < width; ++j) y[j] += a * static_cast<float>(w[j]);
  }
}

void AddActiveUnitsPortable(const float* h, size_t units, const float* weights, size_t k,
                            float* scores, uint8_t* active) {
  for (size_t u = 0; u < units; ++u) {
    active[u] = h[u] > 0;
    if (!active[u]) continue;
    const float a = h[u];
    const float* __restrict w = weights + u * k;
    float* __restrict y = scores;
    for (size_t j = 0; j < k; ++j) y[j] += a * w[j];
  }
}

void AddWeightedRowsInt8(const SparseFeature* features, const int32_t* rows, size_t n,
                         const int8_t* weights, const float* row_scale, size_t width, float* out) {
#ifdef OMNIROUTE_DENSE_AVX2
  if (UseAvx512()) {
    return RowsByBlocks(kRowsAvx512, 16, features, rows, n, weights, row_scale, width, out);
  }
  if (UseAvx2()) {
    return RowsByBlocks(kRowsAvx2, 8, features, rows, n, weights, row_scale, width, out);
  }
#endif
  AddWeightedRowsInt8Portable(features, rows, n, weights, row_scale, width, out);
}

void AddActiveUnits(const float* h, size_t units, const float* weights, size_t k, float* scores,
                    uint8_t* active) {
#ifdef OMNIROUTE_DENSE_AVX2
  if (UseAvx512()) return UnitsByBlocks(kUnitsAvx512, 16, h, units, weights, k, scores, active);
  if (UseAvx2()) return UnitsByBlocks(kUnitsAvx2, 8, h, units, weights, k, scores, active);
#endif
  AddActiveUnitsPortable(h, units, weights, k, scores, active);
}

}  // namespace omniroute::classification::model
