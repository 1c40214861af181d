#include "services/webhooks/webhooks_config.h"

#include "absl/strings/str_cat.h"

namespace omniroute::webhooks {
namespace {

absl::Status Range(const char* flag, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, " must be ", min, "..", max, " (not ", value, ")"));
}

}  // namespace

void AddFlags(config::Flags& flags, WebhooksConfig* c) {
  flags.Add("concurrency", &c->worker.concurrency,
            "deliveries this worker makes at once (one sender thread each)");
  flags.Add("max-attempts", &c->worker.max_attempts,
            "attempts of a delivery before it becomes a dead letter");
  flags.Add("backoff-base-ms", &c->worker.backoff_base_ms,
            "retry backoff: after the n-th failed attempt, wait a random time up to "
            "base * 2^(n-1) ms (full jitter) ...");
  flags.Add("backoff-cap-ms", &c->worker.backoff_cap_ms, "... but never more than this");
  flags.Add("timeout-ms", &c->sender.timeout_ms,
            "time a receiver has to answer an attempt (connect, send, answer)");
  flags.Add("lease-ms", &c->queue.lease_ms,
            "how long a delivery in hand stays invisible to other workers; when a worker dies, "
            "its deliveries are sent by another after this (at least --timeout-ms + 1000)");
  flags.Add("max-pending", &c->queue.max_pending,
            "deliveries a webhook may have pending; newer events for it are dropped and counted");
  flags.Add("dead-letter-max", &c->queue.dead_letter_max,
            "dead letters kept per tenant (the oldest go first)");
  flags.Add("poll-ms", &c->worker.poll_ms,
            "the longest wait between passes that found nothing to deliver");
  flags.Add("gauge-interval-ms", &c->worker.gauge_interval_ms,
            "how often the backlog and dead-letter gauges are read from Redis");
  flags.Add("allow-loopback", &c->sender.policy.allow_loopback,
            "let deliveries go to loopback addresses (127.0.0.0/8, ::1), for tests and "
            "development");
  flags.Add("allow-private-networks", &c->sender.policy.allow_private,
            "let deliveries go to private networks (10/8, 172.16/12, 192.168/16, 100.64/10, "
            "fc00::/7), for receivers inside your own network");
  flags.Add("ca-file", &c->sender.ca_file,
            "CA certificates (PEM) that https receivers' certificates must chain to (default: "
            "the system's)");
}

absl::Status Validate(const WebhooksConfig& c) {
  for (auto st :
       {Range("concurrency", c.worker.concurrency, 1, 1000),
        Range("max-attempts", c.worker.max_attempts, 1, 100),
        Range("backoff-base-ms", c.worker.backoff_base_ms, 1, 86400000),
        Range("backoff-cap-ms", c.worker.backoff_cap_ms, c.worker.backoff_base_ms, 7 * 86400000LL),
        Range("timeout-ms", c.sender.timeout_ms, 100, 300000),
        Range("lease-ms", c.queue.lease_ms, c.sender.timeout_ms + 1000, 3600000),
        Range("max-pending", c.queue.max_pending, 1, 10000000),
        Range("dead-letter-max", c.queue.dead_letter_max, 1, 1000000),
        Range("poll-ms", c.worker.poll_ms, 1, 10000),
        Range("gauge-interval-ms", c.worker.gauge_interval_ms, 100, 600000)}) {
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace omniroute::webhooks
