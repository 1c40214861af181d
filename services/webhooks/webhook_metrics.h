#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace omniroute::webhooks {

// The webhook workers' metrics, declared once. Counters and histograms are per replica (sum
// them); the gauges are read from Redis and every replica exports the same values (take max).
struct WebhookMetrics {
  explicit WebhookMetrics(prometheus::Registry& registry);

  // How a delivery ended: delivered, dead_lettered; dropped when the webhook had too many
  // pending to queue it.
  void Ended(const std::string& tenant, const std::string& result, double n = 1);
  // A failed attempt and why (HttpResult::outcome).
  void Failed(const std::string& tenant, const std::string& reason);
  // One attempt's duration, whatever its outcome.
  void Attempt(const std::string& tenant, double seconds);
  // From the event to its successful delivery.
  void Lag(const std::string& tenant, double seconds);

  prometheus::Family<prometheus::Counter>& deliveries;
  prometheus::Family<prometheus::Counter>& failures;
  prometheus::Family<prometheus::Histogram>& attempt_seconds;
  prometheus::Family<prometheus::Histogram>& lag_seconds;
  prometheus::Family<prometheus::Gauge>& backlog;       // from Redis
  prometheus::Family<prometheus::Gauge>& dead_letters;  // from Redis
  prometheus::Family<prometheus::Counter>& lost_leases;
};

}  // namespace omniroute::webhooks
