#include "services/common/ids.h"

#include <chrono>
#include <random>

namespace omniroute {
namespace {

uint64_t RandomBits() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }()};
  return rng();
}

// `digits` hex digits of v, most significant first, into out[at..].
void PutHex(std::string& out, size_t at, int digits, uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) {
    out[at + i] = kHex[v & 0xf];
    v >>= 4;
  }
}

}  // namespace

std::string RandomIdGenerator::NewId() {
  std::string out(32, '0');
  PutHex(out, 0, 16, RandomBits());
  PutHex(out, 16, 16, RandomBits());
  return out;
}

std::string TimeOrderedIdGenerator::Format(uint64_t ms, uint32_t seq, uint64_t random) {
  std::string out(32, '0');
  PutHex(out, 0, 12, ms);
  PutHex(out, 12, 4, seq);
  PutHex(out, 16, 16, random);
  return out;
}

std::string TimeOrderedIdGenerator::NewId() {
  uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  uint64_t ms;
  uint32_t seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now > last_ms_) {
      last_ms_ = now;
      seq_ = 0;
    } else if (++seq_ > 0xffff) {  // the same ms (or the clock stepped back): next in line
      ++last_ms_;
      seq_ = 0;
    }
    ms = last_ms_;
    seq = seq_;
  }
  return Format(ms, seq, RandomBits());
}

}  // namespace omniroute
