#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"
#include "services/routing/routing_engine.h"
#include "services/routing/routing_metrics.h"

namespace omniroute::routing {

struct BackgroundOptions {
  int timer_interval_ms = 100;   // how often due timers fire (offers, steps, re-score...)
  int sweep_interval_ms = 1000;  // how often every queue is re-matched (safety net)
  int gauge_interval_ms = 2000;  // how often queue and stream gauges are read from Redis
  int agent_gauge_every = 5;     // agent gauges: every n-th refresh (they read every agent)
};

// The registered tenants (omniroute:tenants), validated.
absl::StatusOr<std::vector<std::string>> ListTenants(redis::Pool& pool);

// Fires offer deadlines and sweeps queues until `stop`. Any number of replicas may run it:
// the scripts are idempotent.
void RunTimerLoop(redis::Pool& pool, RoutingEngine& engine, RoutingMetrics& metrics,
                  const BackgroundOptions& options, const std::atomic<bool>& stop);

// Refreshes the shared-state gauges from Redis: per queue depth, oldest wait, available agents,
// estimated wait, SLA target and threshold; per tenant agents by state and capacity slots, and
// stream lag and pending entries. Series of deleted queues or tenants are removed.
void RunGaugeLoop(redis::Pool& pool, RoutingEngine& engine, RoutingMetrics& metrics,
                  const BackgroundOptions& options, const std::atomic<bool>& stop);

}  // namespace omniroute::routing
