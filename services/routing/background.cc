#include "services/routing/background.h"

#include <chrono>
#include <thread>

#include "services/common/keys.h"
#include "services/common/log/log.h"
#include "services/common/validation.h"

namespace omniroute::routing {
namespace {

// Sleeps up to `ms`, waking early when `stop` is set.
void Nap(int ms, const std::atomic<bool>& stop) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 50)));
  }
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ListTenants(redis::Pool& pool) {
  auto conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command({"SMEMBERS", kTenantsKey});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  for (auto& t : redis::ReplyStrings(*r)) {
    if (ValidateTenantId("tenant", t).ok()) out.push_back(std::move(t));
  }
  return out;
}

void RunTimerLoop(redis::Pool& pool, RoutingEngine& engine, RoutingMetrics& metrics,
                  const BackgroundOptions& options, const std::atomic<bool>& stop) {
  std::vector<std::string> tenants;
  auto next_tenants = std::chrono::steady_clock::now();
  auto next_sweep = next_tenants;
  while (!stop.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_tenants) {
      auto t = ListTenants(pool);
      if (t.ok()) tenants = std::move(*t);
      next_tenants = now + std::chrono::seconds(1);
    }
    auto fired = engine.ExpireOffers(tenants);
    if (!fired.ok()) {
      log::WarnEvery("timers", 10, "offer timers failed", {{"error", fired.status().ToString()}});
    } else if (*fired > 0) {
      metrics.offers.Add({{"outcome", "timeout"}}).Increment(static_cast<double>(*fired));
    }
    if (auto ended = engine.EndWrapUps(tenants); !ended.ok()) {
      log::WarnEvery("wrapups", 10, "wrap-up timers failed",
                     {{"error", ended.status().ToString()}});
    }
    if (now >= next_sweep) {
      auto swept = engine.Sweep(tenants);
      if (!swept.ok()) {
        log::WarnEvery("sweep", 10, "queue sweep failed", {{"error", swept.status().ToString()}});
      }
      if (auto st = engine.RefreshOpenFlags(tenants); !st.ok()) {
        log::WarnEvery("hours", 10, "business hours refresh failed", {{"error", st.ToString()}});
      }
      next_sweep = now + std::chrono::milliseconds(options.sweep_interval_ms);
    }
    Nap(options.timer_interval_ms, stop);
  }
}

void RunGaugeLoop(redis::Pool& pool, RoutingEngine& engine, RoutingMetrics& metrics,
                  const BackgroundOptions& options, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    auto tenants = ListTenants(pool);
    if (tenants.ok()) {
      for (const auto& t : *tenants) {
        auto queues = engine.ListQueues(t);
        if (!queues.ok()) break;
        for (const auto& q : *queues) {
          auto s = engine.QueueStats(t, q.name());
          if (!s.ok()) continue;
          std::map<std::string, std::string> labels = {{"tenant", t}, {"queue", q.name()}};
          metrics.depth.Add(labels).Set(static_cast<double>(s->waiting()));
          metrics.oldest.Add(labels).Set(static_cast<double>(s->oldest_wait_ms()) / 1000.0);
          metrics.available.Add(labels).Set(static_cast<double>(s->available_agents()));
        }
      }
    }
    Nap(options.gauge_interval_ms, stop);
  }
}

}  // namespace omniroute::routing
