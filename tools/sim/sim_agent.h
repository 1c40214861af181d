#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "tools/sim/api_client.h"

namespace omniroute::sim {

// How a simulated agent behaves.
struct AgentBehavior {
  std::map<v1::Channel, int> capacity;  // e.g. {VOICE: 1, CHAT: 3}
  std::map<std::string, int> skills;    // name -> proficiency
  double reject_probability = 0.0;      // declines this share of offers
  bool never_answers = false;           // lets every offer lapse
  int handle_ms_min = 50;               // handle time range of accepted work
  int handle_ms_max = 200;
  uint64_t seed = 1;
};

// What one agent did, for ledgers and invariant checks.
struct AgentStats {
  int64_t offers = 0;
  int64_t rescinded = 0;
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t ignored = 0;
  int64_t completed = 0;
  int64_t accept_failed = 0;  // the offer was gone (lapsed or canceled) when accepted
  std::vector<std::string> completed_ids;
};

// A simulated agent desktop: logs in with skills and capacity, follows its offers over
// WatchOffers (resuming after reconnects), accepts, rejects or ignores them, and completes
// accepted work after a random handle time.
class SimAgent {
 public:
  SimAgent(ApiClient* api, std::string api_key, std::string agent_id, AgentBehavior behavior);
  ~SimAgent();

  // Logs in (AVAILABLE) and starts following offers. Returns false when login failed.
  bool Start();
  // Logs out (OFFLINE), stops following offers, and completes nothing more.
  void Stop();
  // Sets the agent AVAILABLE again (e.g. after it was set away for missed offers).
  bool SetAvailable();

  const std::string& id() const { return agent_id_; }
  AgentStats Stats() const;

 private:
  void WatchLoop();
  void WorkLoop();
  void HandleOffer(const v1::Offer& offer);

  ApiClient* api_;
  const std::string api_key_;
  const std::string agent_id_;
  const AgentBehavior behavior_;
  std::atomic<bool> stop_{false};
  std::thread watch_thread_;
  std::thread work_thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  grpc::ClientContext* watch_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  // Accepted work: completion time -> interaction id.
  std::multimap<std::chrono::steady_clock::time_point, std::string> work_ ABSL_GUARDED_BY(mu_);
  AgentStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omniroute::sim
