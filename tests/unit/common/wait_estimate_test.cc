// The estimated wait: Gamma quantiles, the position-based Erlang A sums (checked against a
// simulation of the same model), and the inputs hash the routing service writes.
#include "services/common/wait_estimate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace omniroute {
namespace {

TEST(GammaQuantileTest, MatchesKnownQuantiles) {
  // Gamma(1, s) is exponential: the p-quantile is -s ln(1 - p).
  EXPECT_NEAR(GammaQuantile(1, 2, 0.95), -2 * std::log(0.05), 1e-9);
  EXPECT_NEAR(GammaQuantile(1, 2, 0.05), -2 * std::log(0.95), 1e-9);
  // Chi-square with 10 degrees of freedom is Gamma(5, 2): 3.940 and 18.307 (tables).
  EXPECT_NEAR(GammaQuantile(5, 2, 0.05), 3.9403, 1e-3);
  EXPECT_NEAR(GammaQuantile(5, 2, 0.95), 18.3070, 1e-3);
  // A large shape (the normal approximation's range): mean 5000, sd 70.7.
  EXPECT_NEAR(GammaQuantile(5000, 1, 0.95), 5000 + 1.6449 * std::sqrt(5000.0), 1.0);
  EXPECT_NEAR(GammaQuantile(5000, 1, 0.05), 5000 - 1.6449 * std::sqrt(5000.0), 1.0);
}

TEST(EstimateWaitTest, WithoutAbandonmentTheWaitIsErlang) {
  // Position 4, 2 slots, 3 s each: 4 steps of rate 2/3 -> mean 6 s, Gamma(4, 1.5).
  auto e = EstimateWait(4, 0, {2, 3.0, 0});
  ASSERT_TRUE(e.has_value());
  EXPECT_NEAR(e->seconds, 6.0, 1e-9);
  EXPECT_NEAR(e->low_seconds, GammaQuantile(4, 1.5, kWaitBandLow), 1e-9);
  EXPECT_NEAR(e->high_seconds, GammaQuantile(4, 1.5, kWaitBandHigh), 1e-9);
  EXPECT_LT(e->low_seconds, e->seconds);
  EXPECT_GT(e->high_seconds, e->seconds);
  // One in line with one slot: exponential.
  auto one = EstimateWait(1, 0, {1, 1.0, 0});
  ASSERT_TRUE(one.has_value());
  EXPECT_NEAR(one->high_seconds, -std::log(1 - kWaitBandHigh), 1e-9);
}

TEST(EstimateWaitTest, FreeSlotsShortenTheLine) {
  auto zero = EstimateWait(2, 2, {3, 5.0, 0.1});
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(zero->seconds, 0);
  EXPECT_EQ(zero->high_seconds, 0);
  // Nobody staffed is no matter while a slot is free for it.
  ASSERT_TRUE(EstimateWait(1, 1, {0, 0, 0}).has_value());
  auto behind = EstimateWait(5, 2, {3, 5.0, 0.1});
  auto front = EstimateWait(3, 0, {3, 5.0, 0.1});
  ASSERT_TRUE(behind.has_value() && front.has_value());
  EXPECT_DOUBLE_EQ(behind->seconds, front->seconds);
}

TEST(EstimateWaitTest, UnknownWithoutStaffOrHandleTime) {
  EXPECT_FALSE(EstimateWait(1, 0, {0, 3.0, 0}).has_value());
  EXPECT_FALSE(EstimateWait(1, 0, {2, 0, 0}).has_value());
  EXPECT_FALSE(EstimateWait(0, 0, {2, 3.0, 0}).has_value());
}

// Simulates the model itself: with j ahead, the next step is a slot freeing up (rate N/h) or
// one of the j abandoning (rate j*theta each).
TEST(EstimateWaitTest, AbandonmentAheadShortensTheWaitAsTheModelSimulates) {
  const WaitModel m{3, 6.0, 1.0 / 20};
  const int64_t position = 12;
  auto e = EstimateWait(position, 0, m);
  ASSERT_TRUE(e.has_value());
  auto no_abandon = EstimateWait(position, 0, {3, 6.0, 0});
  EXPECT_LT(e->seconds, no_abandon->seconds);
  std::mt19937_64 rng(11);
  std::vector<double> waits;
  for (int run = 0; run < 20000; ++run) {
    double t = 0;
    for (int64_t j = position - 1; j >= 0; --j) {
      std::exponential_distribution<double> step(3 / 6.0 + static_cast<double>(j) * m.abandon_rate);
      t += step(rng);
    }
    waits.push_back(t);
  }
  double mean = 0;
  int inside = 0;
  for (double w : waits) {
    mean += w / static_cast<double>(waits.size());
    inside += (w >= e->low_seconds && w <= e->high_seconds) ? 1 : 0;
  }
  EXPECT_NEAR(e->seconds, mean, 0.02 * mean);
  double coverage = static_cast<double>(inside) / static_cast<double>(waits.size());
  EXPECT_NEAR(coverage, kWaitBandHigh - kWaitBandLow, 0.02);
}

TEST(EstimateWaitTest, LongLinesSumTheTailAsAnIntegral) {
  const WaitModel m{10, 30.0, 1.0 / 300};
  const int64_t position = 40000;
  double mean = 0;
  for (int64_t j = 0; j < position; ++j) mean += 1 / (10 / 30.0 + static_cast<double>(j) / 300);
  auto e = EstimateWait(position, 0, m);
  ASSERT_TRUE(e.has_value());
  EXPECT_NEAR(e->seconds, mean, 1e-3 * mean);
  auto plain = EstimateWait(position, 0, {10, 30.0, 0});
  EXPECT_NEAR(plain->seconds, position * 3.0, 1e-6 * position);
}

TEST(WaitInputsTest, RoundTripsThroughTheHashAndGoesStale) {
  WaitInputs in;
  in.servers = {{1, 4}, {2, 12}};
  in.handle_ms = 1500;
  in.abandon_rate = 0.02;
  in.updated_ms = 1000000;
  WaitInputs back = ParseWaitInputs(WaitInputsFields(in));
  EXPECT_EQ(back.servers, in.servers);
  EXPECT_DOUBLE_EQ(back.handle_ms, 1500);
  EXPECT_DOUBLE_EQ(back.abandon_rate, 0.02);
  EXPECT_EQ(back.updated_ms, 1000000);

  auto fresh = EstimateFromInputs(back, 1, 3, 0, 1000000 + 500);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->method(), kWaitMethod);
  EXPECT_EQ(fresh->staffed(), 4);
  EXPECT_EQ(fresh->position(), 3);
  EXPECT_EQ(fresh->inputs_age_ms(), 500);
  EXPECT_GT(fresh->seconds(), 0);
  EXPECT_FALSE(EstimateFromInputs(back, 1, 3, 0, 1000000 + kWaitInputsMaxAgeMs + 1).has_value());
  EXPECT_FALSE(EstimateFromInputs(back, 3, 3, 0, 1000000).has_value());  // nobody on channel 3
  EXPECT_FALSE(EstimateFromInputs(WaitInputs{}, 1, 1, 0, 1000000).has_value());
}

TEST(WaitInputsTest, GarbledFieldsReadAsZero) {
  auto in = ParseWaitInputs({"handle_ms", "x", "servers:1", "y", "servers:z", "3", "updated_ms",
                             "12", "abandon_rate", "0.5", "odd"});
  EXPECT_EQ(in.handle_ms, 0);
  EXPECT_TRUE(in.servers.empty());
  EXPECT_EQ(in.updated_ms, 12);
  EXPECT_DOUBLE_EQ(in.abandon_rate, 0.5);
}

}  // namespace
}  // namespace omniroute
