// The replay's moving parts (replay.h is the interface): the engine and intake store of the
// services on a scratch Redis, a virtual clock, and the queue of what happens next.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "services/common/clock.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"
#include "services/intake/intake_store.h"
#include "services/routing/routing_engine.h"
#include "services/whatif/replay.h"

namespace omniroute::whatif {

class VirtualClock : public Clock {
 public:
  int64_t NowMs() const override { return now_ms_; }
  void Set(int64_t now_ms) { now_ms_ = now_ms; }

 private:
  int64_t now_ms_ = 0;
};

class Replayer {
 public:
  Replayer(const redis::Endpoint& scratch, const v1::Workload& workload, const ReplayInput& input,
           const ReplayOptions& options);
  absl::StatusOr<v1::WhatIfRun> Run();

 private:
  // Something due at a virtual time (ms from the window's start): completions sort before
  // abandonments of the same ms.
  struct Due {
    int64_t at;
    int kind;  // kComplete | kAbandon
    int64_t index;
    bool operator>(const Due& o) const { return at != o.at ? at > o.at : kind > o.kind; }
  };
  static constexpr int kComplete = 0, kAbandon = 1;
  struct Item {
    std::string id;     // in the scratch Redis
    std::string agent;  // who holds it
    bool accepted = false, ended = false;
  };

  absl::Status SetUp();
  absl::Status ApplyRoster(const v1::WorkloadAgentChange& change);
  absl::Status Arrive(size_t first, size_t end);
  absl::Status Classify(const std::vector<size_t>& indexes);
  absl::Status Tick(bool sweep);
  // Reads the feed since last time and accepts the new offers, until no offer is left.
  absl::Status React();
  std::vector<std::string> FeedRead() const;  // XREAD of the feed after feed_after_
  // Runs `cmds` and the feed read in one round trip; React starts from that read.
  absl::Status RunWithFeedRead(std::vector<std::vector<std::string>> cmds, const std::string& what);
  void Accept(int64_t index, const std::string& agent);
  int64_t HandleMs(int64_t index, const std::string& queue);
  int64_t now() const { return clock_.NowMs() - workload_.start_ms(); }

  const v1::Workload& workload_;
  const ReplayInput& input_;
  const ReplayOptions options_;
  TenantKeys keys_;
  VirtualClock clock_;
  redis::Pool pool_;
  RandomIdGenerator ids_;
  routing::RoutingEngine engine_;
  intake::IntakeStore intake_;
  std::mt19937_64 rng_;
  std::vector<Item> items_;
  std::vector<int64_t> patience_ms_;  // per arrival, 0 = never gives up
  std::unordered_map<std::string, int64_t> index_of_;
  std::map<std::string, std::vector<int64_t>> handles_;  // recorded, by queue ("" = any)
  std::map<std::string, int64_t> wrap_ms_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;
  RunTally tally_;
  static constexpr size_t kFeedCount = 5000;  // feed entries per read
  std::string feed_after_ = "0-0";
  std::optional<redis::Reply> feed_read_;  // a read made with the last step, not yet used
  int64_t routed_ = 0, ended_ = 0;         // arrivals replayed, and those that ended
};

}  // namespace omniroute::whatif
