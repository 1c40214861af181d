#include "load-tests/bench_delayed.h"

namespace omniroute::bench {

DelayedTasks::DelayedTasks() : thread_([this] { Loop(); }) {}

DelayedTasks::~DelayedTasks() { Stop(); }

void DelayedTasks::After(std::chrono::milliseconds delay, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    tasks_.push(Task{Clock::now() + delay, seq_++, std::move(task)});
  }
  cv_.notify_one();
}

void DelayedTasks::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    tasks_ = {};
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void DelayedTasks::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (tasks_.empty()) {
      cv_.wait(lock);
      continue;
    }
    if (Clock::now() < tasks_.top().due) {
      cv_.wait_until(lock, tasks_.top().due);
      continue;
    }
    std::function<void()> run = tasks_.top().run;
    tasks_.pop();
    lock.unlock();
    run();
    lock.lock();
  }
}

}  // namespace omniroute::bench
