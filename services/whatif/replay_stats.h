// What a what-if run measured: per queue and priority service level, waits and abandonment,
// and agent occupancy, counted the same way for the recording and for a replay.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "omniroute/v1/admin.pb.h"

namespace omniroute::whatif {

class RunTally {
 public:
  // SLA threshold (s) of each queue.
  // Every queue gets its row (all priorities), even with nothing answered or abandoned.
  explicit RunTally(std::map<std::string, int> sla_seconds) : sla_s_(std::move(sla_seconds)) {
    for (const auto& [queue, sla] : sla_s_) cells_[{queue, 0}];
  }

  void Answered(const std::string& queue, v1::Priority priority, int64_t wait_ms);
  void Abandoned(const std::string& queue, v1::Priority priority);
  void Rejected() { ++rejected_; }
  void CanceledBeforeQueue() { ++before_queue_; }
  // Time agents held work (handle and wrap-up) and were signed in, ms.
  void Busy(int64_t ms) { busy_ms_ += ms; }
  void SignedIn(int64_t ms) { signed_in_ms_ += ms; }

  // The run, with `arrivals` in all; those neither answered, abandoned nor rejected were open
  // when the window ended.
  v1::WhatIfRun Finish(int64_t arrivals) const;

 private:
  struct Cell {
    std::vector<int64_t> waits;
    int64_t abandoned = 0, within = 0;
  };
  Cell& CellOf(const std::string& queue, v1::Priority priority);

  std::map<std::string, int> sla_s_;
  std::map<std::pair<std::string, int>, Cell> cells_;  // (queue, priority; 0 = all)
  int64_t rejected_ = 0, before_queue_ = 0, busy_ms_ = 0, signed_in_ms_ = 0;
};

// The SLA threshold of each queue (the default when unset).
std::map<std::string, int> SlaSeconds(const std::vector<v1::Queue>& queues);

// Time each agent was signed in (AVAILABLE or AWAY) over [0, window_ms), summed, for a roster
// of changes sorted by at_ms.
int64_t SignedInMs(const std::vector<v1::WorkloadAgentChange>& roster, int64_t window_ms);

// What the recording itself measured.
v1::WhatIfRun RecordedRun(const v1::Workload& workload);

// Customers' patience, estimated per queue with Kaplan-Meier from the recording: an abandoned
// interaction's patience is known, an answered one's only exceeds its wait (censored).
class PatienceModel {
 public:
  explicit PatienceModel(const v1::Workload& workload);
  // A patience for work of `queue` known to exceed `at_least_ms` (ms; nullopt = it would
  // never abandon: the estimate has no mass left beyond that).
  std::optional<int64_t> Draw(const std::string& queue, int64_t at_least_ms,
                              std::mt19937_64& rng) const;

 private:
  // Per queue: abandonment times and the survival just after each, ascending.
  std::map<std::string, std::vector<std::pair<int64_t, double>>> survival_;
};

}  // namespace omniroute::whatif
