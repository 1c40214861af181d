#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/sim/api_client.h"

namespace omniroute::sim {

struct TrafficOptions {
  int total = 100;             // interactions to submit (0 = until stop)
  double rate_per_second = 0;  // 0 = as fast as the service answers
  std::vector<v1::Channel> channels = {v1::CHANNEL_VOICE, v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL};
  int batch = 1;                   // > 1 uses SubmitInteractions
  std::string key_prefix = "sim";  // idempotency keys are <prefix>-<n>
  int customers = 500;
  uint64_t seed = 7;
  int max_retries = 5;  // retries of UNAVAILABLE/DEADLINE with the same key
};

// One interaction the generator got an OK for.
struct Submitted {
  std::string interaction_id;
  v1::Channel channel;
  int64_t submitted_ms;  // wall clock when Submit returned OK
};

// Sample texts that look like contact-center traffic (billing, cards, passwords...).
const std::vector<std::string>& SampleSubjects();

// Submits interactions over Intake at a steady rate; retries transient failures with the same
// idempotency key, so a retry never duplicates. Returns what was acknowledged.
std::vector<Submitted> RunTraffic(ApiClient& api, const std::string& api_key,
                                  const TrafficOptions& options, const std::atomic<bool>& stop);

}  // namespace omniroute::sim
