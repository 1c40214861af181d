#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"

namespace omniroute::redis {

// Sends many callers' commands to Redis without a thread or a blocking round trip per call:
// requests queue on one of a few connections ("lanes"), each with one thread that writes all
// that is waiting in one pipeline, reads the replies and hands each request its own. Under load
// a round trip serves many requests, and Redis reads them in one go; at low load a request is
// sent at once (no waiting to fill a batch). The callback runs on the lane's thread, so it must
// be quick and never block (finish a gRPC reactor, fill a response).
//
// A request whose deadline has passed when its lane takes it is not sent; a lane whose queue is
// full refuses new requests (UNAVAILABLE, at once). Connection failures answer every request
// then in flight UNAVAILABLE; the lane reconnects for the next ones. When Redis lacks the
// Functions library ("Function not found": restarted, flushed, failed over), the lane loads it
// and sends the affected requests again (they had not run).
class Pipeliner {
 public:
  using Done = std::function<void(absl::StatusOr<std::vector<Reply>>)>;
  using Clock = std::chrono::steady_clock;

  struct Options {
    int lanes = 1;
    std::chrono::milliseconds timeout{2000};  // connect and read time-out
    size_t max_queued = 10000;                // per lane
    size_t max_batch = 256;                   // requests per round trip
  };

  // `scripts` (may be null: no library to load) and `observer` (may be null) must outlive it.
  Pipeliner(Endpoint endpoint, Options options, const Scripts* scripts, Observer* observer);
  ~Pipeliner();
  Pipeliner(const Pipeliner&) = delete;
  Pipeliner& operator=(const Pipeliner&) = delete;

  // Sends `cmds` one after the other (no other request's commands between them); calls `done`
  // with their replies, in order, or the reason they were not all answered.
  void Submit(std::vector<std::vector<std::string>> cmds, Clock::time_point deadline, Done done);

 private:
  struct Request {
    std::vector<std::vector<std::string>> cmds;
    Clock::time_point deadline;
    Done done;
  };
  struct Lane {
    absl::Mutex mu;
    std::vector<Request> queue ABSL_GUARDED_BY(mu);
    bool stop ABSL_GUARDED_BY(mu) = false;
    std::thread thread;
  };

  void Run(Lane* lane);
  // Sends one batch on `conn`; answers every request of it.
  void Serve(std::unique_ptr<Connection>& conn, std::vector<Request>& batch);

  const Endpoint endpoint_;
  const Options options_;
  const Scripts* scripts_;
  Observer* observer_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::atomic<size_t> next_{0};
};

}  // namespace omniroute::redis
