// The e2e workload driver's arrival generator (tests/e2e/workload_scenario_arrivals.h): the
// same seed gives the same arrivals, and over a large draw the rates and means are the ones
// asked for, within statistical bounds (five standard errors).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/workload_scenario_arrivals.h"

namespace omniroute::e2e {
namespace {

ArrivalStreamSpec Stream(std::string queue, double rate, double handle, double patience) {
  ArrivalStreamSpec s;
  s.queue = std::move(queue);
  s.rate_per_second = rate;
  s.mean_handle_ms = handle;
  s.mean_patience_ms = patience;
  return s;
}

bool Same(const ScenarioArrival& a, const ScenarioArrival& b) {
  return a.at_ms == b.at_ms && a.queue == b.queue && a.channel == b.channel &&
         a.priority == b.priority && a.handle_ms == b.handle_ms && a.patience_ms == b.patience_ms &&
         a.key == b.key;
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

TEST(WorkloadArrivals, TheSameSeedGivesTheSameArrivals) {
  std::vector<ArrivalStreamSpec> streams = {Stream("a", 5, 800, 3000), Stream("b", 2, 300, 0)};
  streams[1].channel = v1::CHANNEL_VOICE;
  streams[1].priority = v1::PRIORITY_P1;
  auto first = GenerateArrivals(streams, 60000, 42);
  auto second = GenerateArrivals(streams, 60000, 42);
  ASSERT_EQ(first.size(), second.size());
  ASSERT_GT(first.size(), 100u);
  for (size_t i = 0; i < first.size(); ++i) EXPECT_TRUE(Same(first[i], second[i])) << i;

  auto other = GenerateArrivals(streams, 60000, 43);
  size_t same = 0;
  for (size_t i = 0; i < std::min(first.size(), other.size()); ++i)
    same += Same(first[i], other[i]);
  EXPECT_EQ(same, 0u) << "another seed gave some of the same arrivals";

  // A key prefix changes the keys only.
  auto prefixed = GenerateArrivals(streams, 60000, 42, "run2");
  ASSERT_EQ(prefixed.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(prefixed[i].key, "run2-42-" + std::to_string(i));
    prefixed[i].key = first[i].key;
    EXPECT_TRUE(Same(prefixed[i], first[i])) << i;
  }
}

TEST(WorkloadArrivals, ArrivalsAreInTimeOrderWithUniqueKeysAndTheirStreamsFields) {
  std::vector<ArrivalStreamSpec> streams = {Stream("a", 5, 800, 3000), Stream("b", 2, 300, 0)};
  streams[1].channel = v1::CHANNEL_VOICE;
  streams[1].priority = v1::PRIORITY_P1;
  auto arrivals = GenerateArrivals(streams, 60000, 9);
  std::set<std::string> keys;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    const auto& a = arrivals[i];
    EXPECT_GE(a.at_ms, 0);
    EXPECT_LT(a.at_ms, 60000);
    if (i > 0) {
      EXPECT_LE(arrivals[i - 1].at_ms, a.at_ms) << i;
    }
    EXPECT_TRUE(keys.insert(a.key).second) << a.key;
    EXPECT_GE(a.handle_ms, kMinHandleMs);
    if (a.queue == "a") {
      EXPECT_EQ(a.channel, v1::CHANNEL_CHAT);
      EXPECT_EQ(a.priority, v1::PRIORITY_P3);
      EXPECT_GE(a.patience_ms, 1);
    } else {
      EXPECT_EQ(a.queue, "b");
      EXPECT_EQ(a.channel, v1::CHANNEL_VOICE);
      EXPECT_EQ(a.priority, v1::PRIORITY_P1);
      EXPECT_EQ(a.patience_ms, 0) << "a stream without patience never abandons";
    }
  }
  // Adding a stream leaves the draws of the others as they were.
  auto alone = GenerateArrivals({streams[0]}, 60000, 9);
  std::vector<ScenarioArrival> of_a;
  for (const auto& a : arrivals) {
    if (a.queue == "a") of_a.push_back(a);
  }
  ASSERT_EQ(of_a.size(), alone.size());
  for (size_t i = 0; i < alone.size(); ++i) {
    EXPECT_EQ(of_a[i].at_ms, alone[i].at_ms);
    EXPECT_EQ(of_a[i].handle_ms, alone[i].handle_ms);
    EXPECT_EQ(of_a[i].patience_ms, alone[i].patience_ms);
  }
  EXPECT_TRUE(GenerateArrivals(streams, 0, 9).empty());
}

// 100,000 arrivals of one stream and 20,000 of another.
TEST(WorkloadArrivals, RatesAndMeansAreWithinStatisticalBounds) {
  constexpr int64_t kDurationMs = 2000 * 1000;
  constexpr double kRate = 50, kHandle = 1000, kPatience = 4000, kRateB = 10, kHandleB = 300;
  auto arrivals =
      GenerateArrivals({Stream("a", kRate, kHandle, kPatience), Stream("b", kRateB, kHandleB, 0)},
                       kDurationMs, 2024);
  std::vector<double> handle, patience, handle_b;
  std::vector<int> per_second(kDurationMs / 1000, 0);
  int64_t last_at = -1;
  double gap_sum = 0;
  for (const auto& a : arrivals) {
    if (a.queue == "b") {
      handle_b.push_back(static_cast<double>(a.handle_ms));
      continue;
    }
    handle.push_back(static_cast<double>(a.handle_ms));
    patience.push_back(static_cast<double>(a.patience_ms));
    ++per_second[a.at_ms / 1000];
    if (last_at >= 0) gap_sum += static_cast<double>(a.at_ms - last_at);
    last_at = a.at_ms;
  }
  // Counts are Poisson: mean n, standard deviation sqrt(n).
  const double n = kRate * kDurationMs / 1000.0, n_b = kRateB * kDurationMs / 1000.0;
  EXPECT_NEAR(static_cast<double>(handle.size()), n, 5 * std::sqrt(n));
  EXPECT_NEAR(static_cast<double>(handle_b.size()), n_b, 5 * std::sqrt(n_b));
  EXPECT_NEAR(gap_sum / static_cast<double>(handle.size() - 1), 1000.0 / kRate,
              5 * (1000.0 / kRate) / std::sqrt(n) + 1);
  // Exponential means: standard error mean / sqrt(n). The 50 ms floor adds about 1.2 ms to a
  // 1 s mean and 4 ms to a 300 ms one.
  EXPECT_NEAR(Mean(handle), kHandle + 1.2, 5 * kHandle / std::sqrt(n));
  EXPECT_NEAR(Mean(patience), kPatience, 5 * kPatience / std::sqrt(n));
  EXPECT_NEAR(Mean(handle_b), kHandleB + 4.0, 5 * kHandleB / std::sqrt(n_b));
  // Exponential shape: P(X > mean) = 1/e.
  const double over = static_cast<double>(std::count_if(handle.begin(), handle.end(),
                                                        [&](double h) { return h > kHandle; })) /
                      static_cast<double>(handle.size());
  EXPECT_NEAR(over, std::exp(-1.0), 5 * std::sqrt(std::exp(-1.0) * (1 - std::exp(-1.0)) / n));
  // Poisson arrivals: per-second counts have variance equal to their mean (index of dispersion
  // 1, standard error sqrt(2 / windows)).
  double mean = 0, var = 0;
  for (int c : per_second) mean += c;
  mean /= static_cast<double>(per_second.size());
  for (int c : per_second) var += (c - mean) * (c - mean);
  var /= static_cast<double>(per_second.size() - 1);
  EXPECT_NEAR(var / mean, 1.0, 5 * std::sqrt(2.0 / static_cast<double>(per_second.size())));
  std::printf(
      "arrivals: a=%zu (expect %.0f) mean gap=%.3fms handle=%.1fms patience=%.1fms "
      "P(handle>mean)=%.4f dispersion=%.3f; b=%zu handle=%.1fms\n",
      handle.size(), n, gap_sum / static_cast<double>(handle.size() - 1), Mean(handle),
      Mean(patience), over, var / mean, handle_b.size(), Mean(handle_b));
}

}  // namespace
}  // namespace omniroute::e2e
