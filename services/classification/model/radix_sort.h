#pragma once

#include <cstdint>
#include <vector>

namespace omniroute::classification::model {

// Sorts `keys` ascending by bits [low, low + bits) of each key, stably (keys equal in those bits
// keep their order): an LSD radix sort by 8-bit digits, a few linear passes instead of n log n
// comparisons, which matters for the thousands of n-grams of a long message. Short inputs use an
// insertion sort (stable too, and faster below a few dozen keys). `tmp` is scratch space.
template <typename Key>
void RadixSortByBits(int low, int bits, std::vector<Key>* keys, std::vector<Key>* tmp) {
  const int high = low + bits;
  if (keys->size() < 64) {
    const Key mask =
        bits >= static_cast<int>(8 * sizeof(Key)) ? ~Key{0} : ((Key{1} << bits) - 1) << low;
    for (size_t i = 1; i < keys->size(); ++i) {
      const Key k = (*keys)[i];
      size_t j = i;
      for (; j > 0 && ((*keys)[j - 1] & mask) > (k & mask); --j) (*keys)[j] = (*keys)[j - 1];
      (*keys)[j] = k;
    }
    return;
  }
  tmp->resize(keys->size());
  // The counts of every digit in one pass over the keys, then one scattering pass per digit.
  constexpr int kMaxPasses = static_cast<int>(sizeof(Key));
  const int passes = (bits + 7) / 8;
  uint32_t count[kMaxPasses][257] = {};
  for (Key k : *keys) {
    for (int p = 0; p < passes; ++p) ++count[p][((k >> (low + 8 * p)) & 0xFF) + 1];
  }
  for (int p = 0; p < passes; ++p) {
    const int shift = low + 8 * p;
    if (shift >= high) break;
    uint32_t* c = count[p];
    for (int d = 0; d < 256; ++d) c[d + 1] += c[d];
    for (Key k : *keys) (*tmp)[c[(k >> shift) & 0xFF]++] = k;
    keys->swap(*tmp);
  }
}

}  // namespace omniroute::classification::model
