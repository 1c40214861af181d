#include "services/common/ids.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace omniroute {
namespace {

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

bool IsLowerHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(TimeOrderedIdTest, LayoutIsClockThenSequenceThenRandomBits) {
  EXPECT_EQ(TimeOrderedIdGenerator::Format(0x0123456789abULL, 0xcdef, 0x0011223344556677ULL),
            "0123456789abcdef0011223344556677");
  EXPECT_EQ(TimeOrderedIdGenerator::Format(1, 2, 3),
            "0000000000010002"
            "0000000000000003");
}

TEST(TimeOrderedIdTest, IdsOfOneGeneratorSortInTheOrderTheyWereMade) {
  TimeOrderedIdGenerator ids;
  uint64_t before = NowMs();
  std::vector<std::string> made;
  for (int i = 0; i < 100000; ++i) made.push_back(ids.NewId());  // many share a millisecond
  uint64_t after = NowMs();
  for (size_t i = 0; i < made.size(); ++i) {
    ASSERT_EQ(made[i].size(), 32u);
    ASSERT_TRUE(IsLowerHex(made[i])) << made[i];
    if (i > 0) {
      ASSERT_LT(made[i - 1], made[i]) << "id " << i;
    }
  }
  uint64_t first_ms = std::stoull(made.front().substr(0, 12), nullptr, 16);
  uint64_t last_ms = std::stoull(made.back().substr(0, 12), nullptr, 16);
  EXPECT_GE(first_ms, before);
  EXPECT_LE(first_ms, after);
  // Past 65,536 ids in one ms the clock part runs ahead of the wall clock, never behind.
  EXPECT_GE(last_ms, first_ms);
  EXPECT_LE(last_ms, after + made.size() / 65536 + 1);
}

TEST(TimeOrderedIdTest, IdsMadeOnManyThreadsAreUnique) {
  TimeOrderedIdGenerator ids;
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&ids, &out] {
      for (int i = 0; i < 20000; ++i) out.push_back(ids.NewId());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : per_thread) {
    for (size_t i = 1; i < out.size(); ++i) ASSERT_LT(out[i - 1], out[i]);
    all.insert(out.begin(), out.end());
  }
  EXPECT_EQ(all.size(), 80000u);
}

TEST(RandomIdTest, IdsAre32LowercaseHexAndDiffer) {
  RandomIdGenerator ids;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = ids.NewId();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_TRUE(IsLowerHex(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace omniroute
