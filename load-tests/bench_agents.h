#pragma once

// Lightweight agent desktops for omniroute-bench: unlike sim::SimAgent they record when each
// offer arrives (steady clock, in the bench process) and hand it to the Settler at once, so
// agents are never the bottleneck. Offer streams use gRPC's callback API: no thread per stream,
// so on a 2-core machine the bench takes as little CPU from Redis and the services as it can.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "load-tests/bench_delayed.h"
#include "load-tests/bench_settler.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

// One agent: logs in AVAILABLE with the given capacities and skills, follows its offers over
// Routing.WatchOffers (reconnecting 100 ms after a stream ends, resuming after the last offer
// id), records each offer's arrival in `offers` and hands it to the Settler.
class WatchingAgent {
 public:
  // `later` runs the reconnects; it and every other pointer must outlive StopWatching.
  WatchingAgent(sim::ApiClient* api, std::string agent_key, std::string agent_id,
                std::map<v1::Channel, int> capacity, std::map<std::string, int> skills,
                ArrivalLog* offers, Settler* settler, DelayedTasks* later);
  ~WatchingAgent();
  WatchingAgent(const WatchingAgent&) = delete;
  WatchingAgent& operator=(const WatchingAgent&) = delete;

  absl::Status Start();
  // Stops following offers and waits until the stream is closed (no more Push to the Settler).
  void StopWatching();
  // Logs the agent out (OFFLINE).
  void LogOut();
  int64_t rescinded() const { return rescinded_.load(); }
  int64_t reconnects() const { return reconnects_.load(); }

 private:
  class Stream;
  // Opens a stream resuming after `after_offer_id` unless stopping; `reconnect`: called by the
  // reconnect task OnStreamDone scheduled.
  void Open(const std::string& after_offer_id, bool reconnect);
  // Called by the stream's reactions.
  void OnOffer(const v1::Offer& offer, Clock::time_point arrived);
  void OnStreamDone(const std::string& last_offer_id);

  sim::ApiClient* api_;
  const std::string key_;
  const std::string agent_id_;
  const std::map<v1::Channel, int> capacity_;
  const std::map<std::string, int> skills_;
  ArrivalLog* offers_;
  Settler* settler_;
  DelayedTasks* later_;
  std::atomic<int64_t> rescinded_{0};
  std::atomic<int64_t> reconnects_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  Stream* stream_ ABSL_GUARDED_BY(mu_) = nullptr;  // the open stream, owned by itself
  bool reconnect_pending_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace omniroute::bench
