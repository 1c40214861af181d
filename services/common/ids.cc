#include "services/common/ids.h"

#include <cstdint>
#include <random>

namespace omniroute {

std::string RandomIdGenerator::NewId() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t v = rng();
    for (int i = 0; i < 16; ++i) {
      out[half * 16 + i] = kHex[v & 0xf];
      v >>= 4;
    }
  }
  return out;
}

}  // namespace omniroute
