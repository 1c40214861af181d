#include "load-tests/arrival_log.h"

namespace omniroute::bench {

void ArrivalLog::Record(const std::string& interaction_id, Clock::time_point at) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!first_.emplace(interaction_id, at).second) duplicates_.fetch_add(1);
}

size_t ArrivalLog::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_.size();
}

std::unordered_map<std::string, Clock::time_point> ArrivalLog::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::unordered_map<std::string, Clock::time_point> out;
  out.swap(first_);
  return out;
}

}  // namespace omniroute::bench
