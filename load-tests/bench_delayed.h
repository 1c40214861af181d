#pragma once

// A single thread that runs functions after a delay, for the bench's asynchronous agents: a
// gRPC callback must not sleep (it runs on gRPC's own threads), so a reconnect after 100 ms or a
// retry after 50 ms is handed to this thread instead.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"

namespace omniroute::bench {

class DelayedTasks {
 public:
  DelayedTasks();
  // Stop()s.
  ~DelayedTasks();
  DelayedTasks(const DelayedTasks&) = delete;
  DelayedTasks& operator=(const DelayedTasks&) = delete;

  // Runs `task` on this object's thread `delay` from now (tasks due at once run in order).
  // After Stop the task is dropped unrun; callers that must know count their own tasks.
  void After(std::chrono::milliseconds delay, std::function<void()> task);
  // Drops the tasks not yet run and joins the thread (after the task running now, if any).
  void Stop();

 private:
  using Clock = std::chrono::steady_clock;
  struct Task {
    Clock::time_point due;
    uint64_t seq;  // keeps tasks due at the same time in submission order
    std::function<void()> run;
    bool operator>(const Task& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::priority_queue<Task, std::vector<Task>, std::greater<Task>> tasks_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace omniroute::bench
