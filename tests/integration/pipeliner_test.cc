// The Pipeliner against a real redis-server: many threads' requests share round trips and
// each gets its own replies, a request's commands stay together, a request past its deadline
// is not sent, a Redis without the Functions library gets it and the request runs, a full queue
// refuses at once, and a Redis that goes away answers UNAVAILABLE and is reconnected to.
#include "services/common/redis/pipeliner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "services/common/keys.h"
#include "tests/support/redis_server.h"

namespace omniroute::redis {
namespace {

using Clock = Pipeliner::Clock;

class PipelinerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (redis_ == nullptr) redis_ = new testing::RedisServer();
  }
  // Without this every test process (CTest runs each test alone) left its redis-server running.
  static void TearDownTestSuite() {
    delete redis_;
    redis_ = nullptr;
  }
  void SetUp() override { redis_->FlushAll(); }

  // Submits and waits for the answer.
  static absl::StatusOr<std::vector<Reply>> Call(
      Pipeliner& p, std::vector<std::vector<std::string>> cmds,
      Clock::time_point deadline = Clock::time_point::max()) {
    std::promise<absl::StatusOr<std::vector<Reply>>> answer;
    p.Submit(std::move(cmds), deadline, [&](auto r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  }

  static inline testing::RedisServer* redis_ = nullptr;
};

TEST_F(PipelinerTest, ManyThreadsShareRoundTripsAndEachRequestGetsItsOwnReplies) {
  Pipeliner p(redis_->endpoint(), {/*lanes=*/2}, nullptr, nullptr);
  constexpr int kThreads = 8, kPerThread = 300;
  std::atomic<int> wrong{0}, answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Requests of 2 to 4 commands: a reply given to the wrong request shows as a wrong count
        // or a wrong value.
        std::string key = std::to_string(t) + "-" + std::to_string(i);
        std::vector<std::vector<std::string>> cmds = {{"SET", key, "v" + key}};
        for (int g = 0; g < 1 + i % 3; ++g) cmds.push_back({"GET", key});
        size_t n = cmds.size();
        p.Submit(std::move(cmds), Clock::time_point::max(),
                 [&, key, n](absl::StatusOr<std::vector<Reply>> r) {
                   bool ok = r.ok() && r->size() == n && (*r)[0].str == "OK";
                   for (size_t k = 1; ok && k < n; ++k) ok = (*r)[k].str == "v" + key;
                   if (!ok) ++wrong;
                   ++answered;
                 });
      }
    });
  }
  for (auto& t : threads) t.join();
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (answered < kThreads * kPerThread && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(answered, kThreads * kPerThread);
  EXPECT_EQ(wrong, 0);
}

TEST_F(PipelinerTest, ARequestPastItsDeadlineIsNotSent) {
  Pipeliner p(redis_->endpoint(), {}, nullptr, nullptr);
  auto r = Call(p, {{"SET", "late", "1"}}, Clock::now() - std::chrono::milliseconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  auto check = Call(p, {{"EXISTS", "late"}});
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ((*check)[0].integer, 0);
}

TEST_F(PipelinerTest, ARedisWithoutTheLibraryGetsItAndTheRequestRuns) {
  const Scripts& scripts = Scripts::Embedded();
  Pipeliner p(redis_->endpoint(), {}, &scripts, nullptr);
  auto conn = redis_->Connect();
  ASSERT_EQ(conn->Command({"FUNCTION", "FLUSH"})->str, "OK");
  std::string stream = TenantKeys("acme").IntakeStream();
  auto r = Call(p, {scripts.Command("common/trim_stream", {stream}, {"nobody"}), {"PING"}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE((*r)[0].is_error()) << (*r)[0].str;
  EXPECT_EQ((*r)[0].integer, 0);  // no such stream yet: nothing trimmed
  EXPECT_EQ((*r)[1].str, "PONG");
  EXPECT_EQ(conn->Command({"FUNCTION", "LIST"})->elements.size(), 1u);
}

TEST_F(PipelinerTest, AFullQueueRefusesAtOnce) {
  Pipeliner::Options options;
  options.max_queued = 0;
  Pipeliner p(redis_->endpoint(), options, nullptr, nullptr);
  auto r = Call(p, {{"PING"}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(PipelinerTest, ARedisThatGoesAwayIsUnavailableThenReconnectedTo) {
  testing::RedisServer own;
  Pipeliner::Options options;
  options.timeout = std::chrono::milliseconds(500);
  Pipeliner p(own.endpoint(), options, nullptr, nullptr);
  ASSERT_TRUE(Call(p, {{"PING"}}).ok());
  ASSERT_TRUE(own.process().Signal(SIGSTOP));
  auto stalled = Call(p, {{"PING"}});
  EXPECT_EQ(stalled.status().code(), absl::StatusCode::kUnavailable) << stalled.status();
  ASSERT_TRUE(own.process().Signal(SIGCONT));
  auto deadline = Clock::now() + std::chrono::seconds(10);
  absl::StatusOr<std::vector<Reply>> again = absl::UnavailableError("not yet");
  while (!again.ok() && Clock::now() < deadline) {
    again = Call(p, {{"PING"}});
    if (!again.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].str, "PONG");
}

}  // namespace
}  // namespace omniroute::redis
