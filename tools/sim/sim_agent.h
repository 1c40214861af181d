#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "tools/sim/api_client.h"

namespace omniroute::sim {

// How a simulated agent behaves.
struct AgentBehavior {
  std::map<v1::Channel, int> capacity;  // e.g. {VOICE: 1, CHAT: 3}
  std::string capacity_profile;         // logs in with this profile instead of `capacity`
  std::map<std::string, int> skills;    // name -> proficiency
  double reject_probability = 0.0;      // declines this share of offers
  bool never_answers = false;           // lets every offer lapse
  int handle_ms_min = 50;               // handle time range of accepted work
  int handle_ms_max = 200;
  // Handle time ranges (min, max ms) of these channels' work instead of the one above.
  std::map<v1::Channel, std::pair<int, int>> handle_ms_by_channel;
  uint64_t seed = 1;
  // Ignores this share of offers, each one on its own draw: the offer lapses at its deadline.
  double miss_probability = 0.0;
  // Lapsed offers in a row that set the agent AWAY (the tenant's max_missed_offers). Once the
  // rescinds of that many offers it did not answer in time (missed, or answered too late)
  // arrived since it was last set available, the agent sets itself AVAILABLE again
  // comeback_ms later; -1 = it stays away (as a never_answers agent does).
  int away_after_missed = 3;
  int comeback_ms = -1;
  // Breaks: about every break_every_ms (exponentially distributed; 0 = never) the agent goes
  // AWAY for break_ms_min..break_ms_max, then AVAILABLE again.
  int break_every_ms = 0;
  int break_ms_min = 100;
  int break_ms_max = 500;
  // Skill changes: about every skill_change_every_ms (exponentially distributed; 0 = never) the
  // agent replaces its skills with one of these sets, picked at random, keeping its state.
  int skill_change_every_ms = 0;
  std::vector<std::map<std::string, int>> skill_sets;
  // A bot in a self-service queue: escalates this share of its accepted work to a human
  // (EscalateInteraction, with a reason and context) instead of completing it.
  double escalate_probability = 0.0;
};

// What one agent did, for ledgers and invariant checks.
struct AgentStats {
  int64_t offers = 0;
  int64_t rescinded = 0;
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t ignored = 0;  // offers let lapse (never_answers or missed)
  int64_t missed = 0;   // offers ignored by the miss_probability draw
  int64_t completed = 0;
  int64_t escalated = 0;      // handed to a human by EscalateInteraction
  int64_t busy_ms = 0;        // handle time of the accepted work, counted when accepted
  int64_t accept_failed = 0;  // the offer was gone (lapsed or canceled) when accepted
  std::vector<std::string> completed_ids;
  int64_t comebacks = 0;      // AVAILABLE again after missed offers in a row
  int64_t breaks = 0;         // breaks taken (AWAY, then AVAILABLE)
  int64_t skill_changes = 0;  // skill sets replaced while running
  int64_t state_failed = 0;   // SetAgentState calls that failed while running
};

// A simulated agent desktop: logs in with skills and capacity, follows its offers over
// WatchOffers (resuming after reconnects), accepts, rejects or ignores them, and completes
// accepted work after a random handle time. Optionally it also takes breaks, changes skills
// and comes back after being set away for missed offers (see AgentBehavior).
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
  // Stops misbehaving for good: no more misses, declines, breaks or skill changes (a change in
  // progress finishes first); the agent, with its current skills, is set AVAILABLE. Returns
  // false when that failed.
  bool Settle();

  const std::string& id() const { return agent_id_; }
  AgentStats Stats() const;
  // Stats().busy_ms without copying the rest.
  int64_t BusyMs() const;

 private:
  void WatchLoop();
  void WorkLoop();
  void LifeLoop();
  void HandleOffer(const v1::Offer& offer);
  bool SendState(v1::AgentState state, const std::map<std::string, int>* skills);
  // A random wait with mean `mean_ms` (exponential).
  std::chrono::steady_clock::duration RandomGap(int mean_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ApiClient* api_;
  const std::string api_key_;
  const std::string agent_id_;
  const AgentBehavior behavior_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> settled_{false};
  std::thread watch_thread_;
  std::thread work_thread_;
  std::thread life_thread_;  // breaks, skill changes, comebacks; only when configured
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable life_cv_;
  // Offers not answered (ignored, or the answer failed) whose rescind has not arrived yet; each
  // such rescind is an offer lapsed on the agent (or canceled), counted in lapsed_.
  std::set<std::string> unanswered_ ABSL_GUARDED_BY(mu_);
  int lapsed_ ABSL_GUARDED_BY(mu_) = 0;  // since the agent was last set available
  std::optional<std::chrono::steady_clock::time_point> comeback_at_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* watch_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  // Accepted work: completion time -> interaction id.
  std::multimap<std::chrono::steady_clock::time_point, std::string> work_ ABSL_GUARDED_BY(mu_);
  AgentStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omniroute::sim
