#include "services/routing/routing_metrics.h"

#include "absl/strings/str_cat.h"

namespace omniroute::routing {

void RoutingMetrics::ObserveDecision(const std::string& kind, double seconds) {
  prometheus::Histogram* h;
  {
    absl::MutexLock lock(&mu_);
    auto& slot = decisions_[kind];
    if (slot == nullptr) {
      slot = &decision_seconds.Add({{"kind", kind}}, prometheus::Histogram::BucketBoundaries{
                                                         0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                         0.005, 0.01, 0.025, 0.05, 0.1, 0.25});
    }
    h = slot;
  }
  h->Observe(seconds);
}

RoutingMetrics::QueueSeries& RoutingMetrics::Series(const std::string& tenant,
                                                    const std::string& queue) {
  absl::MutexLock lock(&mu_);
  auto& slot = series_[absl::StrCat(tenant, "|", queue)];
  if (slot == nullptr) {
    std::map<std::string, std::string> labels = {{"tenant", tenant}, {"queue", queue}};
    auto s = std::make_unique<QueueSeries>();
    s->accepted_offers = &offers.Add({{"tenant", tenant}, {"outcome", "accepted"}});
    s->completed = &completed.Add({{"tenant", tenant}});
    s->handle =
        &handle.Add(labels, prometheus::Histogram::BucketBoundaries{
                                5, 15, 30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 3600});
    labels["outcome"] = "met";
    s->met = &sla.Add(labels);
    labels["outcome"] = "breached";
    s->breached = &sla.Add(labels);
    slot = std::move(s);
  }
  return *slot;
}

void RoutingMetrics::Accepted(const std::string& tenant, const std::string& queue, int64_t wait_ms,
                              int64_t sla_threshold_ms) {
  QueueSeries& s = Series(tenant, queue);
  prometheus::Histogram* h;
  {
    absl::MutexLock lock(&mu_);
    if (s.wait == nullptr) {
      // The queue's threshold becomes a bucket (when the gauge loop has not created it first).
      s.wait = &wait.Add({{"tenant", tenant}, {"queue", queue}},
                         WaitBuckets(static_cast<double>(sla_threshold_ms) / 1000.0));
    }
    h = s.wait;
  }
  s.accepted_offers->Increment();
  h->Observe(static_cast<double>(wait_ms) / 1000.0);
  (wait_ms <= sla_threshold_ms ? s.met : s.breached)->Increment();
}

void RoutingMetrics::Completed(const std::string& tenant, const std::string& queue,
                               int64_t handle_ms, int64_t wrap_up_ms) {
  QueueSeries& s = Series(tenant, queue);
  s.completed->Increment();
  s.handle->Observe(static_cast<double>(handle_ms) / 1000.0);
  if (wrap_up_ms > 0) {
    prometheus::Histogram* w;
    {
      absl::MutexLock lock(&mu_);
      if (s.wrap_up == nullptr) {
        s.wrap_up = &wrap_up.Add(
            {{"tenant", tenant}, {"queue", queue}},
            prometheus::Histogram::BucketBoundaries{0, 5, 10, 15, 30, 60, 120, 300, 600, 1800});
      }
      w = s.wrap_up;
    }
    w->Observe(static_cast<double>(wrap_up_ms) / 1000.0);
  }
}

}  // namespace omniroute::routing
