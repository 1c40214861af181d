#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace omniroute::routing {

// Wait-time buckets (seconds): they include the usual SLA thresholds (10, 20, 30, 60 s...).
inline const prometheus::Histogram::BucketBoundaries& WaitBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {1,  5,  10,  15,  20,  30, 45,
                                                            60, 90, 120, 180, 300, 600};
  return b;
}

// The routing service's metrics, declared once; hot paths only increment and observe.
struct RoutingMetrics {
  explicit RoutingMetrics(prometheus::Registry& registry)
      : enqueued(prometheus::BuildCounter()
                     .Name("omniroute_routing_enqueued_total")
                     .Help("Classified interactions taken by routing, by tenant and outcome "
                           "(queued, rejected, skipped, error).")
                     .Register(registry)),
        offers(prometheus::BuildCounter()
                   .Name("omniroute_offers_total")
                   .Help("Offer outcomes seen by this replica: accepted, rejected, timeout.")
                   .Register(registry)),
        completed(prometheus::BuildCounter()
                      .Name("omniroute_interactions_completed_total")
                      .Help("Interactions completed by agents, by tenant.")
                      .Register(registry)),
        wait(prometheus::BuildHistogram()
                 .Name("omniroute_queue_wait_seconds")
                 .Help("Time from enqueue to acceptance by an agent, by tenant and queue.")
                 .Register(registry)),
        depth(prometheus::BuildGauge()
                  .Name("omniroute_queue_depth")
                  .Help("Interactions waiting in a queue (read from Redis).")
                  .Register(registry)),
        oldest(prometheus::BuildGauge()
                   .Name("omniroute_queue_oldest_wait_seconds")
                   .Help("Age of the oldest waiting interaction at a queue head (from Redis).")
                   .Register(registry)),
        available(prometheus::BuildGauge()
                      .Name("omniroute_queue_available_agents")
                      .Help("Eligible agents with free capacity for a queue (from Redis).")
                      .Register(registry)),
        self_service(prometheus::BuildCounter()
                         .Name("omniroute_self_service_total")
                         .Help("Deflected work leaving self-service through this replica, by "
                               "tenant and outcome: deflected (completed by a bot, no human) or "
                               "escalated (moved to its human queue).")
                         .Register(registry)),
        transition_seconds(prometheus::BuildHistogram()
                               .Name("omniroute_routing_transition_duration_seconds")
                               .Help("Latency of one routing state transition (a Lua script "
                                     "round trip), by kind.")
                               .Register(registry)) {}

  void Offer(const std::string& tenant, const std::string& outcome) {
    offers.Add({{"tenant", tenant}, {"outcome", outcome}}).Increment();
  }
  void SelfService(const std::string& tenant, const std::string& outcome) {
    self_service.Add({{"tenant", tenant}, {"outcome", outcome}}).Increment();
  }
  void ObserveTransition(const std::string& kind, double seconds) {
    transition_seconds
        .Add({{"kind", kind}},
             prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                     0.01, 0.025, 0.05, 0.1, 0.25})
        .Observe(seconds);
  }

  prometheus::Family<prometheus::Counter>& enqueued;
  prometheus::Family<prometheus::Counter>& offers;
  prometheus::Family<prometheus::Counter>& completed;
  prometheus::Family<prometheus::Histogram>& wait;
  prometheus::Family<prometheus::Gauge>& depth;
  prometheus::Family<prometheus::Gauge>& oldest;
  prometheus::Family<prometheus::Gauge>& available;
  prometheus::Family<prometheus::Counter>& self_service;
  prometheus::Family<prometheus::Histogram>& transition_seconds;
};

}  // namespace omniroute::routing
