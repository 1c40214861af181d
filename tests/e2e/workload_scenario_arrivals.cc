#include "tests/e2e/workload_scenario_arrivals.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

namespace omniroute::e2e {
namespace {

// splitmix64: spreads (seed, stream index) into well-separated generator seeds.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// An exponential draw with mean `mean`, by inversion: std::exponential_distribution is not
// specified bit for bit, this is (mt19937_64 is).
double Exponential(std::mt19937_64& rng, double mean) {
  const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1)
  return -mean * std::log1p(-u);
}

}  // namespace

std::vector<ScenarioArrival> GenerateArrivals(const std::vector<ArrivalStreamSpec>& streams,
                                              int64_t duration_ms, uint64_t seed,
                                              const std::string& key_prefix) {
  struct Drawn {
    double at_ms;
    size_t stream;
    ScenarioArrival arrival;
  };
  std::vector<Drawn> drawn;
  for (size_t s = 0; s < streams.size(); ++s) {
    const ArrivalStreamSpec& spec = streams[s];
    if (spec.rate_per_second <= 0) continue;
    std::mt19937_64 rng(Mix(seed ^ Mix(s + 1)));
    const double mean_gap_ms = 1000.0 / spec.rate_per_second;
    for (double t = Exponential(rng, mean_gap_ms); t < static_cast<double>(duration_ms);
         t += Exponential(rng, mean_gap_ms)) {
      ScenarioArrival a;
      a.at_ms = static_cast<int64_t>(t);
      a.queue = spec.queue;
      a.channel = spec.channel;
      a.priority = spec.priority;
      a.handle_ms = std::max<int64_t>(
          kMinHandleMs, std::llround(Exponential(rng, std::max(0.0, spec.mean_handle_ms))));
      if (spec.mean_patience_ms > 0) {
        a.patience_ms = std::max<int64_t>(1, std::llround(Exponential(rng, spec.mean_patience_ms)));
      }
      drawn.push_back({t, s, std::move(a)});
    }
  }
  std::stable_sort(drawn.begin(), drawn.end(), [](const Drawn& a, const Drawn& b) {
    return std::tie(a.at_ms, a.stream) < std::tie(b.at_ms, b.stream);
  });
  std::vector<ScenarioArrival> out;
  out.reserve(drawn.size());
  for (auto& d : drawn) {
    d.arrival.key = key_prefix + "-" + std::to_string(seed) + "-" + std::to_string(out.size());
    out.push_back(std::move(d.arrival));
  }
  return out;
}

}  // namespace omniroute::e2e
