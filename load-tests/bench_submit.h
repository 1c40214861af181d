#pragma once

// The load of one bench round: SubmitInteractions batches on several threads, with the
// submit-ack time of every accepted interaction.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "load-tests/bench_agents.h"
#include "load-tests/bench_config.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

struct SubmitRecord {
  std::string id;
  int tenant = 0;                 // index in the keys given to SubmitAll
  Clock::time_point sent, acked;  // the batch's call: first attempt sent, answer received
};

struct SubmitPhase {
  std::vector<SubmitRecord> ok;
  // Client wall time (ms) of every SubmitInteractions call answered OK: its first attempt sent ->
  // the answer, retries included; `retried_calls` of them needed more than one attempt.
  std::vector<double> call_ms;
  int64_t retried_calls = 0;
  int64_t failed_items = 0;
  int64_t failed_calls = 0;
  std::string first_error;
};

// Submits `total` interactions in batches on cfg.concurrency threads, as fast as intake answers
// (or at cfg.rate per second), until done, `deadline` or `interrupted`. They are shared evenly by
// the tenants whose integrator API keys are `keys` (the first total % keys.size() get one more),
// whose batches take turns. Transient failures are retried (at most 5 attempts) with the same
// idempotency keys (<key_prefix>-<n>), so a retry never duplicates.
SubmitPhase SubmitAll(sim::ApiClient& api, const std::vector<std::string>& keys, const Config& cfg,
                      const std::vector<v1::Channel>& channels, int total,
                      const std::string& key_prefix, Clock::time_point deadline,
                      const std::atomic<bool>& interrupted, const std::string& via = "grpc");

}  // namespace omniroute::bench
