#pragma once

#include <string>

namespace omniroute {

// Makes interaction ids and API keys. Injected so tests can make them predictable.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // 32 lowercase hex characters (128 random bits).
  virtual std::string NewId() = 0;
};

// Random ids from a per-thread generator seeded by the operating system.
class RandomIdGenerator : public IdGenerator {
 public:
  std::string NewId() override;
};

}  // namespace omniroute
