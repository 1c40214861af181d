// The clients of the chaos tests, each writing what it was told into the Ledger: agents (real
// gRPC clients that log in, follow their offers, accept, hold the work briefly and complete it)
// and a submitter that sends interactions at a steady rate with idempotency keys. Both retry
// UNAVAILABLE and DEADLINE_EXCEEDED with backoff, as a production client would.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "omniroute/v1/intake.grpc.pb.h"
#include "omniroute/v1/routing.grpc.pb.h"
#include "tests/e2e/chaos_ledger.h"

namespace omniroute::e2e {

// A channel spreading calls round robin over the replicas at `addresses`, reconnecting within
// half a second, with its own connections. `health_checked`: only over those that report
// SERVING (gRPC client health checking), so a draining replica, or one that lost Redis, gets
// no new calls once it says so; without it calls reach a replica whatever its health (as from
// a client that does not check), and must still get a retryable code.
std::shared_ptr<grpc::Channel> ReplicaChannel(const std::vector<std::string>& addresses,
                                              bool health_checked);

// How the chaos clients call and retry.
struct ChaosClientOptions {
  std::chrono::milliseconds deadline{2000};  // of every unary call
  // How long a call is retried on UNAVAILABLE/DEADLINE_EXCEEDED before the client gives up.
  std::chrono::milliseconds retry_for{60000};
  bool retry_complete = true;  // false: CompleteInteraction is tried once (to show the ledger
                               // catches a client that drops work)
};

class ChaosAgent {
 public:
  ChaosAgent(std::shared_ptr<grpc::Channel> routing, std::string api_key, std::string id,
             int chat_capacity, uint64_t seed, ChaosClientOptions options, Ledger* ledger);
  ~ChaosAgent();

  // Logs in (AVAILABLE, chat capacity) and starts following offers; false when login failed.
  bool Start();
  // Stops following offers and working (work in hand is not completed).
  void Stop();

 private:
  void WatchLoop();
  void AcceptLoop();
  void CompleteLoop();
  // Runs `call` (which makes one attempt with the context it is given) until it returns OK,
  // a code that retrying cannot fix, or retry_for passes; every failed attempt goes to the
  // ledger. Returns the last status.
  grpc::Status Retry(const std::string& what,
                     const std::function<grpc::Status(grpc::ClientContext*)>& call, bool retry);

  std::unique_ptr<v1::Routing::Stub> stub_;
  const std::string api_key_;
  const std::string id_;
  const int chat_capacity_;
  const ChaosClientOptions options_;
  Ledger* ledger_;
  std::atomic<bool> stop_{false};
  std::thread watch_thread_, accept_thread_, complete_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  grpc::ClientContext* watch_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::deque<std::string> offered_ ABSL_GUARDED_BY(mu_);  // interactions to accept
  // Accepted work: when it is done -> interaction id.
  std::multimap<std::chrono::steady_clock::time_point, std::string> held_ ABSL_GUARDED_BY(mu_);
  uint64_t rng_ ABSL_GUARDED_BY(mu_);
};

// Submits chat interactions at `rate_per_second` from `threads` threads (so a stalled call
// does not stop the others; thread i calls through intake[i % size]), keys "<prefix>-<n>",
// until Stop(); each Submit is retried with its key until it is acknowledged or retry_for
// passes.
class ChaosSubmitter {
 public:
  ChaosSubmitter(const std::vector<std::shared_ptr<grpc::Channel>>& intake, std::string api_key,
                 std::string prefix, double rate_per_second, int threads,
                 ChaosClientOptions options, Ledger* ledger);
  ~ChaosSubmitter();
  void Start();
  // Sends nothing new, lets Submits in progress finish their retries, and joins.
  void Stop();

 private:
  void Loop(v1::Intake::Stub* stub);

  std::vector<std::unique_ptr<v1::Intake::Stub>> stubs_;
  const std::string api_key_;
  const std::string prefix_;
  const double rate_;
  const int threads_;
  const ChaosClientOptions options_;
  Ledger* ledger_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> next_{0};
  std::chrono::steady_clock::time_point start_;
  std::vector<std::thread> workers_;
};

}  // namespace omniroute::e2e
