#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace omniroute {

// A fixed number of worker threads running queued tasks in arrival order, with a bounded queue:
// the blocking work of gRPC callback handlers (Redis round trips) runs here, so the process
// holds the same threads whatever the number of calls in flight.
class BoundedExecutor {
 public:
  BoundedExecutor(std::string name, int threads, size_t max_queued);
  // Runs the tasks still queued, then joins the workers.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task`; false (and the task is dropped) when max_queued tasks wait already.
  bool Submit(absl::AnyInvocable<void() &&> task);

  int threads() const { return static_cast<int>(workers_.size()); }
  size_t queued() const;

 private:
  void Work();
  // A task to run, or the workers should stop.
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); }

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace omniroute
