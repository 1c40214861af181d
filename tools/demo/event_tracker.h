#pragma once

// Follows a tenant's event feed (Routing.WatchEvents) for the demo's summary line: open offers,
// outcomes, completions, and the waits (the 'wait_ms' of each 'accepted' event) for percentiles.

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "services/common/clock.h"
#include "tools/sim/api_client.h"

namespace omniroute::demo {

class EventTracker {
 public:
  struct Snapshot {
    int64_t events = 0;
    int64_t offers_total = 0;
    int64_t open_offers = 0;
    int64_t accepted = 0;
    int64_t rejected = 0;
    int64_t offer_timeouts = 0;
    int64_t completed = 0;
    int64_t steps_opened = 0;       // bullseye steps that widened who may take waiting work
    int64_t deflected = 0;          // completed by the bot in the self-service queue
    int64_t escalated = 0;          // escalated from self-service to a human queue
    int64_t classified = 0;         // classified events, of which:
    int64_t by_rule = 0;            // by a tenant rule,
    int64_t by_model = 0;           // by the intent model (a mapped intent, confident enough),
    int64_t by_low_confidence = 0;  // below the model threshold or out of scope (to triage),
    int64_t by_default = 0;         // or by the channel's default queue
    int64_t wait_p50_ms = -1;       // -1: no accept in the window
    int64_t wait_p99_ms = -1;
    bool connected = false;
  };

  // `clock` (wall time, for the wait window) must outlive the tracker.
  explicit EventTracker(const Clock* clock) : clock_(clock) {}

  // Follows the feed from `after_event_id` until Stop(), reconnecting where it left off.
  // Blocks; run it on its own thread.
  void Run(sim::ApiClient& api, const std::string& key, const std::string& tenant,
           std::string after_event_id);
  // Ends Run (cancels the open stream). Safe from any thread.
  void Stop();
  // Counts so far, and the wait percentiles of the accepts within the last `window_ms`.
  Snapshot Get(int64_t window_ms);

 private:
  void Apply(const v1::Event& e);

  const Clock* clock_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  grpc::ClientContext* ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  Snapshot snap_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> open_ ABSL_GUARDED_BY(mu_);  // interactions with an open offer
  // (accepted at ms, wait ms), oldest first.
  std::deque<std::pair<int64_t, int64_t>> waits_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omniroute::demo
