#include "services/classification/model/dense_layers.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace omniroute::classification::model {
namespace {

// The loops inference ran before the register-blocked kernels, kept as the reference: the fast
// paths must give bit-identical results.
void ReferenceRows(const std::vector<SparseFeature>& f, const std::vector<int32_t>& rows,
                   const std::vector<int8_t>& w, const std::vector<float>& scale, size_t width,
                   std::vector<float>* out) {
  for (size_t i = 0; i < f.size(); ++i) {
    if (rows[i] < 0) continue;
    const float a = f[i].value * scale[rows[i]];
    for (size_t j = 0; j < width; ++j) {
      (*out)[j] += a * static_cast<float>(w[static_cast<size_t>(rows[i]) * width + j]);
    }
  }
}

void ReferenceUnits(const std::vector<float>& h, const std::vector<float>& w, size_t k,
                    std::vector<float>* scores, std::vector<uint8_t>* active) {
  for (size_t u = 0; u < h.size(); ++u) {
    (*active)[u] = h[u] > 0;
    if (!(*active)[u]) continue;
    for (size_t j = 0; j < k; ++j) (*scores)[j] += h[u] * w[u * k + j];
  }
}

// Every version this CPU has (the widest, at most AVX2, portable).
constexpr DenseKernels kAllKernels[] = {DenseKernels::kWidest, DenseKernels::kAvx2,
                                        DenseKernels::kPortable};

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(DenseLayersTest, WeightedRowsMatchTheReferenceBitForBit) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> real(-1, 1);
  std::uniform_int_distribution<int> byte(-127, 127);
  for (size_t width : {1, 5, 8, 13, 16, 40, 63, 64, 77, 128, 130, 144, 256}) {
    for (size_t n : {0, 1, 3, 40, 300}) {
      const size_t num_rows = 50;
      std::vector<int8_t> w(num_rows * width);
      for (int8_t& x : w) x = static_cast<int8_t>(byte(rng));
      std::vector<float> scale(num_rows);
      for (float& x : scale) x = std::abs(real(rng)) / 127 + 1e-4f;
      std::vector<SparseFeature> f(n);
      std::vector<int32_t> rows(n);
      for (size_t i = 0; i < n; ++i) {
        f[i] = SparseFeature{static_cast<uint32_t>(i), real(rng)};
        rows[i] = static_cast<int32_t>(rng() % (num_rows + 10)) - 10;  // some -1..-10: no row
        if (rows[i] < 0) rows[i] = -1;
      }
      std::vector<float> init(width);
      for (float& x : init) x = real(rng);
      std::vector<float> want = init, portable = init;
      ReferenceRows(f, rows, w, scale, width, &want);
      for (DenseKernels kernels : kAllKernels) {
        SetDenseKernels(kernels);
        std::vector<float> fast = init;
        AddWeightedRowsInt8(f.data(), rows.data(), n, w.data(), scale.data(), width, fast.data());
        EXPECT_TRUE(SameBits(want, fast))
            << "width " << width << " n " << n << " kernels " << static_cast<int>(kernels);
      }
      SetDenseKernels(DenseKernels::kWidest);
      AddWeightedRowsInt8Portable(f.data(), rows.data(), n, w.data(), scale.data(), width,
                                  portable.data());
      EXPECT_TRUE(SameBits(want, portable)) << "width " << width << " n " << n;
    }
  }
}

TEST(DenseLayersTest, ActiveUnitsMatchTheReferenceBitForBit) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> real(-1, 1);
  for (size_t k : {1, 2, 7, 8, 9, 16, 17, 64, 65, 77, 128, 131, 144}) {
    for (size_t units : {0, 1, 5, 128}) {
      std::vector<float> h(units);
      for (float& x : h) x = rng() % 4 == 0 ? 0.0f : real(rng);  // some exactly 0: inactive
      std::vector<float> w(units * k);
      for (float& x : w) x = real(rng);
      std::vector<float> init(k);
      for (float& x : init) x = real(rng);
      std::vector<float> want = init, portable = init;
      std::vector<uint8_t> want_active(units, 9), portable_active(units, 9);
      ReferenceUnits(h, w, k, &want, &want_active);
      for (DenseKernels kernels : kAllKernels) {
        SetDenseKernels(kernels);
        std::vector<float> fast = init;
        std::vector<uint8_t> fast_active(units, 9);
        AddActiveUnits(h.data(), units, w.data(), k, fast.data(), fast_active.data());
        EXPECT_TRUE(SameBits(want, fast))
            << "k " << k << " units " << units << " kernels " << static_cast<int>(kernels);
        EXPECT_EQ(want_active, fast_active);
      }
      SetDenseKernels(DenseKernels::kWidest);
      AddActiveUnitsPortable(h.data(), units, w.data(), k, portable.data(), portable_active.data());
      EXPECT_TRUE(SameBits(want, portable)) << "k " << k << " units " << units;
      EXPECT_EQ(want_active, portable_active);
    }
  }
}

}  // namespace
}  // namespace omniroute::classification::model
