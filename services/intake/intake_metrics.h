#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <string>

namespace omniroute::intake {

// The intake service's metrics, declared once; the request path only increments.
struct IntakeMetrics {
  explicit IntakeMetrics(prometheus::Registry& registry)
      : submissions(prometheus::BuildCounter()
                        .Name("omniroute_intake_submissions_total")
                        .Help("Interactions submitted, by tenant, channel and outcome "
                              "(created, duplicate, invalid, conflict, error).")
                        .Register(registry)),
        cancellations(prometheus::BuildCounter()
                          .Name("omniroute_intake_cancellations_total")
                          .Help("CancelInteraction calls by tenant and outcome.")
                          .Register(registry)),
        abandoned(prometheus::BuildCounter()
                      .Name("omniroute_queue_abandoned_total")
                      .Help("Interactions canceled (e.g. the caller hung up) while waiting in a "
                            "queue or offered, by tenant, queue and channel.")
                      .Register(registry)) {}

  void Submitted(const std::string& tenant, const std::string& channel,
                 const std::string& outcome) {
    submissions.Add({{"tenant", tenant}, {"channel", channel}, {"outcome", outcome}}).Increment();
  }

  prometheus::Family<prometheus::Counter>& submissions;
  prometheus::Family<prometheus::Counter>& cancellations;
  prometheus::Family<prometheus::Counter>& abandoned;
};

}  // namespace omniroute::intake
