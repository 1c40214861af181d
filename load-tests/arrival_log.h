#pragma once

// When each interaction first reached a point of its life cycle (an offer arrived at its agent,
// CompleteInteraction answered), shared by the threads that see it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"

namespace omniroute::bench {

using Clock = std::chrono::steady_clock;

class ArrivalLog {
 public:
  // Records the first time of `interaction_id`; a later one only counts as a duplicate.
  void Record(const std::string& interaction_id, Clock::time_point at);
  size_t size() const;
  int64_t duplicates() const { return duplicates_.load(); }
  // Hands over everything recorded so far and starts empty.
  std::unordered_map<std::string, Clock::time_point> Take();

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Clock::time_point> first_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> duplicates_{0};
};

}  // namespace omniroute::bench
