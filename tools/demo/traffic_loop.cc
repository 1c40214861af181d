#include "tools/demo/traffic_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tools/sim/traffic.h"

namespace omniroute::demo {

void TrafficLoop(sim::ApiClient& api, const std::string& key, double rate,
                 std::vector<v1::Channel> channels, const std::string& run_id, uint64_t seed,
                 const std::atomic<bool>& stop, TrafficCounters& counters) {
  using SteadyClock = std::chrono::steady_clock;
  const int per_chunk = std::max(1, static_cast<int>(std::lround(rate)));
  const auto chunk_time =
      std::chrono::microseconds(static_cast<int64_t>(per_chunk * 1e6 / std::max(rate, 0.001)));
  auto next = SteadyClock::now();
  for (int chunk = 0; !stop.load(); ++chunk) {
    sim::TrafficOptions t;
    t.total = per_chunk;
    t.rate_per_second = rate;
    t.channels = channels;
    t.key_prefix = absl::StrCat(run_id, "-", chunk);
    t.customers = 300;
    t.seed = seed + chunk;
    auto out = sim::RunTraffic(api, key, t, stop);
    counters.submitted += static_cast<int64_t>(out.size());
    if (!stop.load()) counters.failed += per_chunk - static_cast<int64_t>(out.size());
    next += chunk_time;
    if (next < SteadyClock::now() - std::chrono::seconds(5)) next = SteadyClock::now();
    while (!stop.load() && SteadyClock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace omniroute::demo
