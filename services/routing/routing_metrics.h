#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace omniroute::routing {

// Wait-time buckets (seconds): the usual SLA thresholds (10, 20, 30, 60 s...) plus the queue's
// own threshold, so `le="<threshold>"` over `_count` is the queue's service level exactly.
inline prometheus::Histogram::BucketBoundaries WaitBuckets(double sla_threshold_seconds) {
  prometheus::Histogram::BucketBoundaries b = {1,  5,  10,  15,  20,  30, 45,
                                               60, 90, 120, 180, 300, 600};
  if (sla_threshold_seconds > 0 &&
      std::find(b.begin(), b.end(), sla_threshold_seconds) == b.end()) {
    b.insert(std::upper_bound(b.begin(), b.end(), sla_threshold_seconds), sla_threshold_seconds);
  }
  return b;
}

// The routing service's metrics, declared once; hot paths only increment and observe.
// Counters are per replica (sum them); the gauges marked "from Redis" describe shared state
// and every routing replica exports the same values (take max, never sum).
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
                 .Help("Time from enqueue to acceptance by an agent, by tenant and queue; the "
                       "buckets include the queue's SLA threshold.")
                 .Register(registry)),
        sla(prometheus::BuildCounter()
                .Name("omniroute_queue_sla_total")
                .Help("Accepted offers by tenant, queue and outcome: met (waited at most the "
                      "queue's SLA threshold) or breached.")
                .Register(registry)),
        depth(prometheus::BuildGauge()
                  .Name("omniroute_queue_depth")
                  .Help("Interactions waiting in a queue, by channel (from Redis).")
                  .Register(registry)),
        oldest(prometheus::BuildGauge()
                   .Name("omniroute_queue_oldest_wait_seconds")
                   .Help("Age of the oldest waiting interaction at a queue head (from Redis).")
                   .Register(registry)),
        available(prometheus::BuildGauge()
                      .Name("omniroute_queue_available_agents")
                      .Help("Eligible agents with a free slot on a channel of a queue (free "
                            "capacity on another channel, or a slot blocked by work on an "
                            "exclusive channel, does not count) (from Redis).")
                      .Register(registry)),
        estimated_wait(prometheus::BuildGauge()
                           .Name("omniroute_queue_estimated_wait_seconds")
                           .Help("Estimated wait of work entering the queue now (mean of "
                                 "the position-based Erlang A model; from Redis).")
                           .Register(registry)),
        estimated_wait_low(prometheus::BuildGauge()
                               .Name("omniroute_queue_estimated_wait_low_seconds")
                               .Help("5th percentile of the estimated wait of work entering the "
                                     "queue now (from Redis).")
                               .Register(registry)),
        estimated_wait_high(prometheus::BuildGauge()
                                .Name("omniroute_queue_estimated_wait_high_seconds")
                                .Help("95th percentile of the estimated wait of work entering the "
                                      "queue now (from Redis).")
                                .Register(registry)),
        sla_target(prometheus::BuildGauge()
                       .Name("omniroute_queue_sla_target_ratio")
                       .Help("The queue's service-level target: the share of interactions to "
                             "answer within its SLA threshold (from Redis).")
                       .Register(registry)),
        sla_threshold(prometheus::BuildGauge()
                          .Name("omniroute_queue_sla_threshold_seconds")
                          .Help("The queue's SLA threshold (from Redis).")
                          .Register(registry)),
        agents(prometheus::BuildGauge()
                   .Name("omniroute_agents")
                   .Help("Agents by tenant and state: offline, away, idle (available, no work) "
                         "or busy (available, holding work or wrap-up) (from Redis).")
                   .Register(registry)),
        capacity_slots(prometheus::BuildGauge()
                           .Name("omniroute_agent_capacity_slots")
                           .Help("Work slots (capacity summed over channels) of available "
                                 "agents, by tenant (from Redis).")
                           .Register(registry)),
        busy_slots(prometheus::BuildGauge()
                       .Name("omniroute_agent_busy_slots")
                       .Help("Of those slots, the ones that cannot take work, by tenant: "
                             "holding work (offered, assigned or in wrap-up), or free but "
                             "blocked by the cross-channel rule (the other channels of an agent "
                             "on an exclusive channel such as voice, the exclusive channels of "
                             "an agent holding other work) (from Redis).")
                       .Register(registry)),
        handle(prometheus::BuildHistogram()
                   .Name("omniroute_handle_duration_seconds")
                   .Help("Handle time: from acceptance to completion, by tenant and queue.")
                   .Register(registry)),
        wrap_up(prometheus::BuildHistogram()
                    .Name("omniroute_wrap_up_duration_seconds")
                    .Help("After-call work holding the agent's capacity after completion, by "
                          "tenant and queue (the queue's wrap_up_seconds).")
                    .Register(registry)),
        self_service(prometheus::BuildCounter()
                         .Name("omniroute_self_service_total")
                         .Help("Deflected work leaving self-service through this replica, by "
                               "tenant and outcome: deflected (completed by a bot, no human) or "
                               "escalated (moved to its human queue).")
                         .Register(registry)),
        decision_seconds(prometheus::BuildHistogram()
                             .Name("omniroute_routing_decision_duration_seconds")
                             .Help("Latency of routing decisions, by kind: one state transition "
                                   "(a Lua script round trip that also matches work and "
                                   "agents), or one pipelined batch of enqueues.")
                             .Register(registry)),
        stream_lag(prometheus::BuildGauge()
                       .Name("omniroute_stream_lag_entries")
                       .Help("Stream entries not yet delivered to the consuming group, by "
                             "tenant and stream (intake, classified) (from Redis).")
                       .Register(registry)),
        stream_pending(prometheus::BuildGauge()
                           .Name("omniroute_stream_pending_entries")
                           .Help("Stream entries delivered but not yet acknowledged, by tenant "
                                 "and stream (from Redis).")
                           .Register(registry)),
        admin_changes(prometheus::BuildCounter()
                          .Name("omniroute_admin_changes_total")
                          .Help("Changes made through the Admin API on this replica, by tenant "
                                "and method (PutQueue, DeleteQueue, PutTenantConfig); the log "
                                "line 'admin change' names the key that made each one.")
                          .Register(registry)) {}

  void Offer(const std::string& tenant, const std::string& outcome, double n = 1) {
    offers.Add({{"tenant", tenant}, {"outcome", outcome}}).Increment(n);
  }
  void SelfService(const std::string& tenant, const std::string& outcome) {
    self_service.Add({{"tenant", tenant}, {"outcome", outcome}}).Increment();
  }
  void ObserveDecision(const std::string& kind, double seconds);
  // Creates a queue's wait histogram and SLA counters at zero, so that rate() and increase()
  // see their first increment (a series that appears at 1 loses it) and the histogram gets
  // the queue's threshold as a bucket.
  void EnsureQueueSeries(const std::string& tenant, const std::string& queue,
                         double sla_threshold_seconds) {
    std::map<std::string, std::string> labels = {{"tenant", tenant}, {"queue", queue}};
    wait.Add(labels, WaitBuckets(sla_threshold_seconds));
    for (const char* outcome : {"met", "breached"}) {
      labels["outcome"] = outcome;
      sla.Add(labels);
    }
  }
  // An accepted offer: its wait, and whether it met the queue's SLA threshold (and the
  // offers{outcome="accepted"} count).
  void Accepted(const std::string& tenant, const std::string& queue, int64_t wait_ms,
                int64_t sla_threshold_ms);
  // A completed interaction: its handle and wrap-up times (and the completed count).
  void Completed(const std::string& tenant, const std::string& queue, int64_t handle_ms,
                 int64_t wrap_up_ms);

  prometheus::Family<prometheus::Counter>& enqueued;
  prometheus::Family<prometheus::Counter>& offers;
  prometheus::Family<prometheus::Counter>& completed;
  prometheus::Family<prometheus::Histogram>& wait;
  prometheus::Family<prometheus::Counter>& sla;
  prometheus::Family<prometheus::Gauge>& depth;
  prometheus::Family<prometheus::Gauge>& oldest;
  prometheus::Family<prometheus::Gauge>& available;
  prometheus::Family<prometheus::Gauge>& estimated_wait;
  prometheus::Family<prometheus::Gauge>& estimated_wait_low;
  prometheus::Family<prometheus::Gauge>& estimated_wait_high;
  prometheus::Family<prometheus::Gauge>& sla_target;
  prometheus::Family<prometheus::Gauge>& sla_threshold;
  prometheus::Family<prometheus::Gauge>& agents;
  prometheus::Family<prometheus::Gauge>& capacity_slots;
  prometheus::Family<prometheus::Gauge>& busy_slots;
  prometheus::Family<prometheus::Histogram>& handle;
  prometheus::Family<prometheus::Histogram>& wrap_up;
  prometheus::Family<prometheus::Counter>& self_service;
  prometheus::Family<prometheus::Histogram>& decision_seconds;
  prometheus::Family<prometheus::Gauge>& stream_lag;
  prometheus::Family<prometheus::Gauge>& stream_pending;
  prometheus::Family<prometheus::Counter>& admin_changes;

 private:
  // The series every accepted and completed interaction touches, looked up once per
  // (tenant, queue) instead of building label maps and bucket lists on every call.
  struct QueueSeries {
    prometheus::Counter* accepted_offers;
    prometheus::Histogram* wait = nullptr;  // created on first use, with the SLA bucket
    prometheus::Counter* met;
    prometheus::Counter* breached;
    prometheus::Counter* completed;
    prometheus::Histogram* handle;
    prometheus::Histogram* wrap_up = nullptr;  // created on first use
  };
  QueueSeries& Series(const std::string& tenant, const std::string& queue);

  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<QueueSeries>> series_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Histogram*> decisions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omniroute::routing
