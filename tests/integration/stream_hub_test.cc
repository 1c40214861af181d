// The StreamHub against a real redis-server: one reader thread follows many streams for many
// watchers (fan-out, resume after an id, groups of keys per XREAD), a full watch pauses without
// losing entries, a removed watch gets nothing more, a new watch does not wait for the XREAD
// BLOCK time-out, and a Redis failure or a stop ends every watch.
#include "services/common/redis/stream_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/redis_server.h"

namespace omniroute::redis {
namespace {

using std::chrono::milliseconds;

bool WaitFor(const std::function<bool()>& pred, milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// A watch and what its consumer took from it.
struct Watcher {
  std::shared_ptr<StreamWatch> watch;
  std::atomic<int> ready_calls{0};
  std::vector<std::string> ids;    // ids taken by Drain(), in order
  std::vector<std::string> texts;  // the "n" field of each

  Watcher(const std::string& key, StreamId after, size_t capacity) {
    watch = std::make_shared<StreamWatch>(key, after, capacity, [this] { ++ready_calls; });
  }
  // Takes up to `max` buffered records.
  void Drain(size_t max = SIZE_MAX) {
    for (size_t i = 0; i < max; ++i) {
      auto r = watch->Next();
      if (!r) return;
      ids.push_back((*r)->id_text);
      for (const auto& [k, v] : (*r)->fields) {
        if (k == "n") texts.push_back(v);
      }
    }
  }
  // Drains until `n` records were taken in all.
  bool DrainUntil(size_t n, milliseconds timeout = milliseconds(5000)) {
    return WaitFor(
        [&] {
          Drain();
          return ids.size() >= n;
        },
        timeout);
  }
};

class StreamHubTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (redis_ == nullptr) redis_ = new testing::RedisServer();
  }
  static void TearDownTestSuite() {
    delete redis_;
    redis_ = nullptr;
  }
  void SetUp() override {
    redis_->FlushAll();
    conn_ = redis_->Connect();
  }
  void StartHub(HubOptions options = {}) {
    hub_ = std::make_unique<StreamHub>(redis_->endpoint(), options);
    hub_->Start();
  }
  std::string Add(const std::string& key, const std::string& n) {
    auto r = conn_->Command({"XADD", key, "*", "n", n});
    EXPECT_TRUE(r.ok() && !r->is_error());
    return r.ok() ? r->str : "";
  }
  static std::vector<std::string> Seq(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i <= to; ++i) out.push_back(std::to_string(i));
    return out;
  }

  static inline testing::RedisServer* redis_ = nullptr;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<StreamHub> hub_;
};

TEST_F(StreamHubTest, TwoWatchersOfOneKeyEachGetEveryEntry) {
  StartHub();
  Watcher a("k", {}, 64), b("k", {}, 64);
  hub_->Add(a.watch);
  hub_->Add(b.watch);
  for (int i = 1; i <= 5; ++i) Add("k", std::to_string(i));
  ASSERT_TRUE(a.DrainUntil(5));
  ASSERT_TRUE(b.DrainUntil(5));
  EXPECT_EQ(a.texts, Seq(1, 5));
  EXPECT_EQ(b.texts, Seq(1, 5));
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(hub_->stats().keys, 1u);
  EXPECT_EQ(hub_->stats().watches, 2u);
}

TEST_F(StreamHubTest, AWatchResumesAfterItsIdWhileAnotherFollowsTheHead) {
  std::vector<std::string> ids;
  for (int i = 1; i <= 5; ++i) ids.push_back(Add("k", std::to_string(i)));
  StartHub();
  Watcher head("k", *StreamId::Parse(ids.back()), 64);
  Watcher resumed("k", *StreamId::Parse(ids[1]), 64);
  Watcher from_start("k", StreamId{}, 64);
  hub_->Add(head.watch);
  hub_->Add(resumed.watch);
  hub_->Add(from_start.watch);
  ASSERT_TRUE(resumed.DrainUntil(3));
  ASSERT_TRUE(from_start.DrainUntil(5));
  Add("k", "6");
  ASSERT_TRUE(head.DrainUntil(1));
  ASSERT_TRUE(resumed.DrainUntil(4));
  ASSERT_TRUE(from_start.DrainUntil(6));
  EXPECT_EQ(head.texts, Seq(6, 6));
  EXPECT_EQ(resumed.texts, Seq(3, 6));
  EXPECT_EQ(from_start.texts, Seq(1, 6));
}

TEST_F(StreamHubTest, AFullWatchIsPausedAndLaterGetsEverythingInOrder) {
  HubOptions options;
  options.count = 3;  // several reads per catch-up
  StartHub(options);
  for (int i = 1; i <= 40; ++i) Add("k", std::to_string(i));
  Watcher slow("k", {}, 4), fast("k", {}, 64);
  hub_->Add(slow.watch);
  hub_->Add(fast.watch);
  // The fast watcher gets everything while the slow one, never read, holds only its capacity.
  ASSERT_TRUE(fast.DrainUntil(40));
  ASSERT_TRUE(WaitFor([&] { return slow.watch->taken() == 4; }, milliseconds(5000)));
  EXPECT_FALSE(slow.watch->ReadAfter().has_value()) << "a full watch must be paused";
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(slow.watch->taken(), 4u) << "a paused watch must not take more";
  Add("k", "41");
  ASSERT_TRUE(fast.DrainUntil(41));
  EXPECT_EQ(slow.watch->taken(), 4u);
  // Reading half of it resumes it: it then gets the rest, in order, each entry once, never
  // holding more than its capacity.
  size_t most_held = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        most_held = std::max(most_held, slow.watch->taken() - slow.ids.size());
        slow.Drain(1);
        return slow.ids.size() == 41;
      },
      milliseconds(10000)))
      << "got " << slow.ids.size();
  EXPECT_EQ(slow.texts, Seq(1, 41));
  EXPECT_LE(most_held, 4u);
  EXPECT_EQ(fast.texts, Seq(1, 41));
}

TEST_F(StreamHubTest, ARemovedWatchGetsNothingMore) {
  StartHub();
  Watcher gone("k", {}, 64), stays("k", {}, 64);
  hub_->Add(gone.watch);
  hub_->Add(stays.watch);
  Add("k", "1");
  ASSERT_TRUE(gone.DrainUntil(1));
  ASSERT_TRUE(stays.DrainUntil(1));
  hub_->Remove(gone.watch);
  int calls = gone.ready_calls.load();
  Add("k", "2");
  ASSERT_TRUE(stays.DrainUntil(2));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(gone.ready_calls.load(), calls);
  EXPECT_EQ(gone.watch->taken(), 1u);
  hub_->Remove(stays.watch);
  EXPECT_EQ(hub_->stats().watches, 0u);
  EXPECT_EQ(hub_->stats().keys, 0u);
}

TEST_F(StreamHubTest, ANewWatchDoesNotWaitForTheBlockTimeOut) {
  HubOptions options;
  options.block_ms = 20000;
  StartHub(options);
  Watcher first("k1", {}, 64);
  hub_->Add(first.watch);
  Add("k1", "1");
  ASSERT_TRUE(first.DrainUntil(1));
  std::this_thread::sleep_for(milliseconds(200));  // the group's XREAD is blocked again
  // Same group (keys_per_read 256): joining needs the blocked XREAD to end now.
  Watcher second("k2", {}, 64);
  auto t0 = std::chrono::steady_clock::now();
  hub_->Add(second.watch);
  Add("k2", "x");
  ASSERT_TRUE(second.DrainUntil(1, milliseconds(3000)));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("new watch got its first entry after %.3f s (BLOCK 20 s)\n", seconds);
  EXPECT_LT(seconds, 2.0);
  EXPECT_GE(hub_->stats().unblocks, 1u);
}

TEST_F(StreamHubTest, KeysAreSplitIntoGroupsWithAConnectionEach) {
  HubOptions options;
  options.keys_per_read = 3;
  StartHub(options);
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int i = 0; i < 10; ++i) {
    watchers.push_back(std::make_unique<Watcher>("k" + std::to_string(i), StreamId{}, 64));
    hub_->Add(watchers.back()->watch);
  }
  for (int i = 0; i < 10; ++i) Add("k" + std::to_string(i), std::to_string(i));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(watchers[i]->DrainUntil(1)) << i;
    EXPECT_EQ(watchers[i]->texts, Seq(i, i));
  }
  EXPECT_EQ(hub_->stats().connections, 4u);
  EXPECT_EQ(hub_->stats().keys, 10u);
}

TEST_F(StreamHubTest, StopEndsEveryWatchOkAndLaterWatchesAtOnce) {
  StartHub();
  Watcher a("k", {}, 64);
  hub_->Add(a.watch);
  Add("k", "1");
  ASSERT_TRUE(a.DrainUntil(1));
  hub_->Stop();
  ASSERT_TRUE(a.watch->closed().has_value());
  EXPECT_TRUE(a.watch->closed()->ok());
  Watcher late("k", {}, 64);
  hub_->Add(late.watch);
  ASSERT_TRUE(late.watch->closed().has_value());
  EXPECT_TRUE(late.watch->closed()->ok());
}

TEST_F(StreamHubTest, ARedisFailureEndsTheWatchesUnavailable) {
  StartHub();
  Watcher a("k", {}, 64);
  hub_->Add(a.watch);
  Add("k", "1");
  ASSERT_TRUE(a.DrainUntil(1));
  redis_->Restart();
  conn_ = redis_->Connect();
  ASSERT_TRUE(WaitFor([&] { return a.watch->closed().has_value(); }, milliseconds(10000)));
  EXPECT_EQ(a.watch->closed()->code(), absl::StatusCode::kUnavailable) << *a.watch->closed();
  EXPECT_EQ(hub_->stats().watches, 0u);
  // Redis is back: a new watch (the client resuming) works again.
  Watcher again("k", *StreamId::Parse(a.ids.back()), 64);
  hub_->Add(again.watch);
  Add("k", "2");
  ASSERT_TRUE(again.DrainUntil(1));
  EXPECT_EQ(again.texts, Seq(2, 2));
}

}  // namespace
}  // namespace omniroute::redis
