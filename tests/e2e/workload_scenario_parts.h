// The moving parts of RunScenario (workload_scenario.h): a timer thread, the run's shared
// bookkeeping, a follower of the tenant event feed, and the agent desktops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "tests/e2e/workload_scenario.h"
#include "tools/sim/api_client.h"

namespace omniroute::e2e {

using ScenarioClock = std::chrono::steady_clock;

// Runs actions at their due times from one thread (completions, hang-ups), in due order.
class ActionTimers {
 public:
  ActionTimers();
  ~ActionTimers();
  void At(ScenarioClock::time_point due, std::function<void()> action);
  // Drops what is still pending and joins the thread.
  void Stop();

 private:
  using Item = std::tuple<ScenarioClock::time_point, int64_t, std::function<void()>>;
  struct Later {
    bool operator()(const Item& a, const Item& b) const {
      return std::tie(std::get<0>(a), std::get<1>(a)) > std::tie(std::get<0>(b), std::get<1>(b));
    }
  };
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Item, std::vector<Item>, Later> pending_ ABSL_GUARDED_BY(mu_);
  int64_t seq_ ABSL_GUARDED_BY(mu_) = 0;  // keeps equal due times in insertion order
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The run's shared bookkeeping: per arrival its interaction id and whether an agent accepted
// it, and the problems met (counted per kind).
class ScenarioLedger {
 public:
  explicit ScenarioLedger(const std::vector<ScenarioArrival>& arrivals);

  const std::vector<ScenarioArrival>& arrivals() const { return arrivals_; }
  // The arrival with this idempotency key.
  std::optional<size_t> IndexOfKey(const std::string& key) const;
  void SetInteractionId(size_t i, const std::string& id);
  std::string InteractionId(size_t i) const;
  void SetAccepted(size_t i);
  bool Accepted(size_t i) const;
  void Problem(const std::string& what);
  std::vector<std::string> Problems() const;

 private:
  const std::vector<ScenarioArrival>& arrivals_;
  std::unordered_map<std::string, size_t> by_key_;  // built once, read without the lock
  mutable std::mutex mu_;
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> accepted_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> problems_ ABSL_GUARDED_BY(mu_);
};

// What the event feed said about one interaction.
struct FeedFacts {
  bool accepted = false;
  std::string accepted_queue, agent;
  int64_t wait_ms = -1;
  int64_t accepted_ms = 0;
  std::string end_type;  // completed | canceled | rejected_by_policy; "" while open
  std::string end_queue, canceled_from;
  int64_t ended_ms = 0;
};

// Follows a server stream from its own thread until Stop(): `read` opens the stream on the
// context it is given (resuming after what it read before), reads it to its end and returns
// how it ended; a break is recorded as a problem and the stream opened again.
class StreamFollower {
 public:
  using ReadFn = std::function<grpc::Status(grpc::ClientContext*)>;
  StreamFollower(std::string key, std::string name, ScenarioLedger* ledger);
  ~StreamFollower();
  void Start(ReadFn read);
  void Stop();

 private:
  void Loop(const ReadFn& read);

  const std::string key_;
  const std::string name_;
  ScenarioLedger* ledger_;
  std::thread thread_;
  std::mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
};

// Follows the tenant's event feed over WatchEvents from the oldest retained event (so nothing
// of the run can slip by before the stream is up) and keeps per interaction what the measures
// need.
class FeedFollower {
 public:
  FeedFollower(sim::ApiClient* api, const std::string& key, ScenarioLedger* ledger);
  void Start();
  void Stop() { stream_.Stop(); }
  std::optional<FeedFacts> Facts(const std::string& interaction_id) const;
  // How many of `ids` have a terminal event.
  size_t CountEnded(const std::vector<std::string>& ids) const;

 private:
  void Take(const v1::Event& e);

  sim::ApiClient* api_;
  std::string last_ = "0";  // the last event read (only the stream's thread uses it)
  mutable std::mutex mu_;
  std::unordered_map<std::string, FeedFacts> facts_ ABSL_GUARDED_BY(mu_);
  StreamFollower stream_;  // last: stopped before the rest goes
};

// An agent desktop: logs in, follows its offers over WatchOffers (resuming after breaks),
// accepts each at once and completes it its arrival's handle_ms later (on the timers).
class ScenarioAgentLoop {
 public:
  ScenarioAgentLoop(sim::ApiClient* api, std::string key, ScenarioAgent agent,
                    ScenarioLedger* ledger, ActionTimers* timers);
  grpc::Status LogIn();
  void Start();
  // Stops following offers (the timers may still complete work: stop them after).
  void Stop() { stream_.Stop(); }
  grpc::Status LogOut();

 private:
  void Take(const v1::Offer& offer);
  void Complete(const std::string& interaction_id, int attempt);

  sim::ApiClient* api_;
  const std::string key_;
  const ScenarioAgent agent_;
  ScenarioLedger* ledger_;
  ActionTimers* timers_;
  std::string last_;       // the last offer read (only the stream's thread uses it)
  StreamFollower stream_;  // last: stopped before the rest goes
};

// True for the statuses a retry may cure (the services' UNAVAILABLE for Redis trouble, a
// deadline passed).
bool Retryable(const grpc::Status& st);

}  // namespace omniroute::e2e
