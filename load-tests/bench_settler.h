#pragma once

// Settles the offers the bench's agents receive: AcceptOffer, then CompleteInteraction (handle
// time ~0), so agents are never the bottleneck and every round runs the full life cycle.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "load-tests/arrival_log.h"
#include "load-tests/bench_delayed.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

struct SettleStats {
  int64_t accepted = 0;
  int64_t accept_failed = 0;
  int64_t completed = 0;
  int64_t complete_failed = 0;
};

// Uses gRPC's callback API: CompleteInteraction is issued from the AcceptOffer callback and the
// next queued offer is started from the CompleteInteraction callback, so no thread waits on a
// call. At most `concurrency` offers are being settled at once, as with the pool of that many
// threads making blocking calls that it replaces: routing sees the same shape of load.
class Settler {
 public:
  // Records the time each interaction's CompleteInteraction answered OK in `completions`.
  // `later` runs the retries; it must outlive Stop.
  Settler(sim::ApiClient* api, int concurrency, ArrivalLog* completions, DelayedTasks* later);
  // Stop()s.
  ~Settler();
  Settler(const Settler&) = delete;
  Settler& operator=(const Settler&) = delete;

  // Queues an offer of `agent`, settled with the API key `agent_key` (its tenant's).
  void Push(const std::string& agent_key, const std::string& agent,
            const std::string& interaction_id);
  // Offers queued or being settled.
  int64_t pending() const;
  SettleStats Stats() const;
  // While paused, offers are only queued (agents hold them); Resume settles them.
  void Pause();
  void Resume();
  // Drops the queued offers and waits until the calls in flight have answered.
  void Stop();

 private:
  struct Call;
  // Pops the next queued offer into flight, or returns null (empty, paused, stopped or full).
  Call* NextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Accept(Call* call);
  void Complete(Call* call);
  void OnCompleted(Call* call, const grpc::Status& st);
  // Counts the outcome, deletes the call and starts the next queued offer.
  void Finish(Call* call, bool accepted, bool completed);

  struct Offer {
    std::string key, agent, interaction_id;
  };

  sim::ApiClient* api_;
  const int concurrency_;
  ArrivalLog* completions_;
  DelayedTasks* later_;
  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Offer> queue_ ABSL_GUARDED_BY(mu_);
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  SettleStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omniroute::bench
