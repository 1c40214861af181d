#include "services/webhooks/webhook_metrics.h"

namespace omniroute::webhooks {

WebhookMetrics::WebhookMetrics(prometheus::Registry& registry)
    : deliveries(prometheus::BuildCounter()
                     .Name("omniroute_webhook_deliveries_total")
                     .Help("Webhook deliveries that ended, by tenant and result: delivered (a "
                           "2xx answer), dead_lettered (every attempt failed), dropped (not "
                           "queued: the webhook had --max-pending deliveries pending).")
                     .Register(registry)),
      failures(prometheus::BuildCounter()
                   .Name("omniroute_webhook_attempt_failures_total")
                   .Help("Failed webhook delivery attempts, by tenant and reason: http_status, "
                         "timeout, connect, blocked (address not allowed), tls, other.")
                   .Register(registry)),
      attempt_seconds(prometheus::BuildHistogram()
                          .Name("omniroute_webhook_attempt_duration_seconds")
                          .Help("Duration of webhook delivery attempts (the HTTP request), by "
                                "tenant, whatever their outcome.")
                          .Register(registry)),
      lag_seconds(prometheus::BuildHistogram()
                      .Name("omniroute_webhook_delivery_lag_seconds")
                      .Help("From an event to its successful webhook delivery, by tenant "
                            "(retries included).")
                      .Register(registry)),
      backlog(prometheus::BuildGauge()
                  .Name("omniroute_webhook_backlog")
                  .Help("Webhook deliveries not yet made: queued for the tenant's webhooks, "
                        "plus feed events not yet read for them (from Redis).")
                  .Register(registry)),
      dead_letters(prometheus::BuildGauge()
                       .Name("omniroute_webhook_dead_letters")
                       .Help("Dead letters the tenant has (from Redis).")
                       .Register(registry)),
      lost_leases(prometheus::BuildCounter()
                      .Name("omniroute_webhook_lost_leases_total")
                      .Help("Attempts whose lease had ended before they were settled (another "
                            "worker took the delivery over; it is sent again), by tenant.")
                      .Register(registry)) {}

void WebhookMetrics::Ended(const std::string& tenant, const std::string& result, double n) {
  deliveries.Add({{"tenant", tenant}, {"result", result}}).Increment(n);
}

void WebhookMetrics::Failed(const std::string& tenant, const std::string& reason) {
  failures.Add({{"tenant", tenant}, {"reason", reason}}).Increment();
}

void WebhookMetrics::Attempt(const std::string& tenant, double seconds) {
  attempt_seconds
      .Add({{"tenant", tenant}},
           prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                                                   5, 10, 30})
      .Observe(seconds);
}

void WebhookMetrics::Lag(const std::string& tenant, double seconds) {
  lag_seconds
      .Add({{"tenant", tenant}},
           prometheus::Histogram::BucketBoundaries{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
                                                   900, 3600})
      .Observe(seconds);
}

}  // namespace omniroute::webhooks
