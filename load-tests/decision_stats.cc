#include "load-tests/decision_stats.h"

#include <algorithm>
#include <cmath>

namespace omniroute::bench::decision {
namespace {

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Stats Summarize(const std::vector<Sample>& samples, int other) {
  Stats s;
  s.n = static_cast<int>(samples.size());
  s.other_item_offered = other;
  if (samples.empty()) return s;
  std::vector<double> us, redis;
  double total = 0;
  for (const auto& x : samples) {
    us.push_back(x.us);
    redis.push_back(static_cast<double>(x.redis_us));
    total += x.us;
  }
  std::sort(us.begin(), us.end());
  std::sort(redis.begin(), redis.end());
  s.redis_p50 = Percentile(redis, 0.50);
  s.redis_p99 = Percentile(redis, 0.99);
  s.p50 = Percentile(us, 0.50);
  s.p90 = Percentile(us, 0.90);
  s.p99 = Percentile(us, 0.99);
  s.max = us.back();
  s.ops = total > 0 ? 1e6 * static_cast<double>(us.size()) / total : 0;
  return s;
}

}  // namespace omniroute::bench::decision
