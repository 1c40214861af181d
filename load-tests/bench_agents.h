#pragma once

// Lightweight agent desktops for omniroute-bench: unlike sim::SimAgent they record when each
// offer arrives (steady clock, in the bench process) and settle it at once (accept, then
// complete) on a shared pool of threads, so agents are never the bottleneck.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

using Clock = std::chrono::steady_clock;

// First arrival time of every offered interaction, shared by all agents.
class OfferLog {
 public:
  // Records an offer; a second offer of the same interaction only counts as a duplicate.
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

struct SettleStats {
  int64_t accepted = 0;
  int64_t accept_failed = 0;
  int64_t completed = 0;
  int64_t complete_failed = 0;
};

// Accepts, then completes, offered interactions on `threads` threads (handle time ~0).
class Settler {
 public:
  Settler(sim::ApiClient* api, std::string agent_key, int threads);
  ~Settler();
  Settler(const Settler&) = delete;
  Settler& operator=(const Settler&) = delete;

  void Push(const std::string& agent, const std::string& interaction_id);
  // Offers queued or being settled.
  int64_t pending() const;
  SettleStats Stats() const;
  // While paused, offers are only queued (agents hold them); Resume settles them.
  void Pause();
  void Resume();
  // Stops after the calls in flight; queued offers are dropped.
  void Stop();

 private:
  void Loop();
  void Settle(const std::string& agent, const std::string& id);

  sim::ApiClient* api_;
  const std::string key_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> queue_ ABSL_GUARDED_BY(mu_);
  int64_t in_progress_ ABSL_GUARDED_BY(mu_) = 0;
  SettleStats stats_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

// One agent: logs in AVAILABLE with the given capacities and skills, follows its offers over
// Routing.WatchOffers (reconnecting, resuming after the last offer id), records each offer's
// arrival in the OfferLog and hands it to the Settler.
class WatchingAgent {
 public:
  WatchingAgent(sim::ApiClient* api, std::string agent_key, std::string agent_id,
                std::map<v1::Channel, int> capacity, std::map<std::string, int> skills,
                OfferLog* log, Settler* settler);
  ~WatchingAgent();
  WatchingAgent(const WatchingAgent&) = delete;
  WatchingAgent& operator=(const WatchingAgent&) = delete;

  absl::Status Start();
  // Stops following offers (no more Push to the Settler).
  void StopWatching();
  // Logs the agent out (OFFLINE).
  void LogOut();
  int64_t rescinded() const { return rescinded_.load(); }
  int64_t reconnects() const { return reconnects_.load(); }

 private:
  void WatchLoop();

  sim::ApiClient* api_;
  const std::string key_;
  const std::string agent_id_;
  const std::map<v1::Channel, int> capacity_;
  const std::map<std::string, int> skills_;
  OfferLog* log_;
  Settler* settler_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> rescinded_{0};
  std::atomic<int64_t> reconnects_{0};
  std::mutex mu_;
  grpc::ClientContext* watch_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace omniroute::bench
