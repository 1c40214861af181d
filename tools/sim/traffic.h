#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tools/sim/api_client.h"

namespace omniroute::sim {

// One interaction the generator got an OK for.
struct Submitted {
  std::string interaction_id;
  v1::Channel channel;
  int64_t submitted_ms;  // wall clock when Submit returned OK
  std::string queue;     // the queue asked for ("" = none)
};

struct TrafficOptions {
  int total = 100;             // interactions to submit (0 = until stop)
  double rate_per_second = 0;  // 0 = as fast as the service answers
  // Poisson arrivals at rate_per_second (exponential gaps, drawn from `seed`) instead of a
  // steady beat: work arrives in bunches, as calls do.
  bool poisson = false;
  std::vector<v1::Channel> channels = {v1::CHANNEL_VOICE, v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL};
  int batch = 1;                   // > 1 uses SubmitInteractions
  std::string key_prefix = "sim";  // idempotency keys are <prefix>-<n>
  int customers = 500;
  uint64_t seed = 7;
  int max_retries = 5;  // retries of UNAVAILABLE/DEADLINE with the same key
  // When non-empty, each interaction is sent to one of these queues at random (Submit's
  // `queue`), on a random channel of those the queue accepts; `channels` is then unused.
  std::vector<std::pair<std::string, std::vector<v1::Channel>>> queues;
  // A random priority P1..P4 per interaction (Submit's `priority`) instead of none.
  bool random_priority = false;
  // Called on the traffic thread with each acknowledged interaction as soon as its batch is
  // answered (e.g. to cancel some while they wait).
  std::function<void(const Submitted&)> on_submitted;
};

// Sample texts that look like contact-center traffic (billing, cards, passwords...).
const std::vector<std::string>& SampleSubjects();

// Submits interactions over Intake at a steady rate; retries transient failures with the same
// idempotency key, so a retry never duplicates. Returns what was acknowledged.
std::vector<Submitted> RunTraffic(ApiClient& api, const std::string& api_key,
                                  const TrafficOptions& options, const std::atomic<bool>& stop);

}  // namespace omniroute::sim
