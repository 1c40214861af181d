#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/strings/ascii.h"
#include "omniroute/v1/common.pb.h"
#include "services/intake/submission.h"

namespace omniroute::intake {

// The channel label of metrics: "voice", "chat", ... ("invalid" outside the enum).
inline std::string ChannelLabel(int channel) {
  if (channel > 0 && channel <= kMaxChannel) {
    std::string name = v1::Channel_Name(static_cast<v1::Channel>(channel));
    return absl::AsciiStrToLower(name.substr(8));  // strip "CHANNEL_"
  }
  return "invalid";
}

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
                      .Register(registry)),
        webhooks(prometheus::BuildCounter()
                     .Name("omniroute_intake_webhooks_total")
                     .Help("Provider webhooks received (POST /webhooks/...), by source kind "
                           "(signed_json, twilio, mailgun_email, sendgrid_email, chat_widget, "
                           "unknown) and result (created, duplicate, ignored, unauthorized, "
                           "invalid, conflict, not_found, unsupported, error).")
                     .Register(registry)) {}

  void Submitted(const std::string& tenant, const std::string& channel,
                 const std::string& outcome) {
    submissions.Add({{"tenant", tenant}, {"channel", channel}, {"outcome", outcome}}).Increment();
  }

  // Creates a queue's abandoned counter at 0 for one channel, so that increase() and rate()
  // see its first abandonment (a series that appears at 1 loses it).
  void EnsureAbandonedSeries(const std::string& tenant, const std::string& queue, int channel) {
    abandoned.Add({{"tenant", tenant}, {"queue", queue}, {"channel", ChannelLabel(channel)}});
  }

  prometheus::Family<prometheus::Counter>& submissions;
  prometheus::Family<prometheus::Counter>& cancellations;
  prometheus::Family<prometheus::Counter>& abandoned;
  prometheus::Family<prometheus::Counter>& webhooks;
};

}  // namespace omniroute::intake
