#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace omniroute {

// Makes interaction ids and API keys. Injected so tests can make them predictable.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // 32 lowercase hex characters.
  virtual std::string NewId() = 0;
};

// 128 random bits from a per-thread generator seeded by the operating system (API keys,
// consumer names).
class RandomIdGenerator : public IdGenerator {
 public:
  std::string NewId() override;
};

// Interaction ids that sort in the order they were made: 12 hex digits of the wall clock in
// ms, 4 of a sequence within that ms, then 64 random bits (16 hex digits). Waiting work whose
// order scores tie (the same queued time and priority: one routing batch gives all its items
// one timestamp) is ordered by id in Redis's sorted sets, so equal work is served in arrival
// order: exactly within one intake replica (the sequence; the clock never steps back here),
// to the millisecond between replicas. The random part keeps ids unguessable enough for ids
// (API keys use RandomIdGenerator).
class TimeOrderedIdGenerator : public IdGenerator {
 public:
  std::string NewId() override;
  // The id made at `ms` with sequence number `seq` and random bits `random` (for tests).
  static std::string Format(uint64_t ms, uint32_t seq, uint64_t random);

 private:
  std::mutex mu_;
  uint64_t last_ms_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace omniroute
