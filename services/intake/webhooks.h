#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "omniroute/v1/admin.pb.h"
#include "services/common/clock.h"
#include "services/common/http/http_types.h"
#include "services/common/inbound_sources.h"
#include "services/intake/intake_metrics.h"
#include "services/intake/intake_store.h"

namespace omniroute::intake {

struct WebhookOptions {
  // How long a replica keeps a source it read (or its absence): a changed secret, a new or a
  // deleted source applies within this time.
  int64_t source_cache_ms = 2000;
  // The deadline of the submission: Redis does not run it later (providers time out, then
  // retry with the same message id).
  int64_t submit_timeout_ms = 10000;
};

// The sources of provider webhooks as intake reads them, each kept for a while.
class InboundSourceCache {
 public:
  InboundSourceCache(InboundSourceStore* store, const Clock* clock, int64_t ttl_ms)
      : store_(store), clock_(clock), ttl_ms_(ttl_ms) {}

  // The tenant's source (with its secret), nullopt when there is none; UNAVAILABLE when Redis
  // cannot say.
  absl::StatusOr<std::optional<v1::InboundSource>> Get(const std::string& tenant,
                                                       const std::string& name);

 private:
  struct Entry {
    std::optional<v1::InboundSource> source;
    int64_t read_ms = 0;
  };
  static constexpr size_t kMaxEntries = 10000;

  InboundSourceStore* store_;
  const Clock* clock_;
  const int64_t ttl_ms_;
  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// POST /webhooks/<tenant>/<source>[/<token>]: authenticates a provider's webhook by its
// source's scheme (the signature is the authentication, no API key), maps it to a
// SubmitInteraction of the tenant with the provider's message id as the idempotency key, and
// submits it through SubmitOne (the validation, storage and metrics of Intake.SubmitInteraction).
// Answers 200 (created, or the same interaction again for a provider's retry), 400 naming the
// field, 401 for a missing or wrong signature (nothing stored), 404 for an unknown tenant or
// source, 405, 409 (the message id reused with other content), 415, 503. Counts every webhook
// in omniroute_intake_webhooks_total{kind,result}.
class WebhookHandler {
 public:
  WebhookHandler(InboundSourceCache* sources, IntakeStore* store, IntakeMetrics* metrics,
                 const Clock* clock, WebhookOptions options)
      : sources_(sources), store_(store), metrics_(metrics), clock_(clock), options_(options) {}

  http::Response Handle(const http::Request& req);

 private:
  struct Result {
    http::Response response;
    std::string label;  // the metric's result
  };
  // Serves the request; sets *kind to the source's kind label once the source is known.
  Result Serve(const http::Request& req, std::string* kind);

  InboundSourceCache* sources_;
  IntakeStore* store_;
  IntakeMetrics* metrics_;
  const Clock* clock_;
  const WebhookOptions options_;
};

// The metric label of a source kind ("twilio", ...).
std::string KindLabel(v1::InboundSourceKind kind);

}  // namespace omniroute::intake
