#include "services/common/bounded_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "absl/synchronization/notification.h"

namespace omniroute {
namespace {

TEST(BoundedExecutorTest, RunsEveryTaskOnItsOwnThreads) {
  std::atomic<int> ran{0};
  std::set<std::thread::id> threads;
  absl::Mutex mu;
  {
    BoundedExecutor executor("test", 3, 1000);
    EXPECT_EQ(executor.threads(), 3);
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(executor.Submit([&] {
        ++ran;
        absl::MutexLock lock(&mu);
        threads.insert(std::this_thread::get_id());
      }));
    }
  }  // the destructor runs what is still queued
  EXPECT_EQ(ran.load(), 500);
  EXPECT_LE(threads.size(), 3u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST(BoundedExecutorTest, RefusesTasksBeyondItsQueueBound) {
  BoundedExecutor executor("test", 1, 2);
  absl::Notification started, release;
  ASSERT_TRUE(executor.Submit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();  // the only worker is busy; the queue is empty
  std::atomic<int> ran{0};
  EXPECT_TRUE(executor.Submit([&] { ++ran; }));
  EXPECT_TRUE(executor.Submit([&] { ++ran; }));
  EXPECT_FALSE(executor.Submit([&] { ++ran; }));
  EXPECT_EQ(executor.queued(), 2u);
  release.Notify();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ran.load() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(ran.load(), 2);
  EXPECT_TRUE(executor.Submit([&] { ++ran; }));
}

}  // namespace
}  // namespace omniroute
