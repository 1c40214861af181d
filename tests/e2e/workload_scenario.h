// A workload scenario driver for e2e tests: replays generated arrivals (see
// workload_scenario_arrivals.h) against the real services with agents that accept every offer
// at once, handle each interaction for its drawn handle time and customers who hang up after
// their patience, then measures per queue what happened, from the tenant's event feed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "omniroute/v1/common.pb.h"
#include "tests/e2e/workload_scenario_arrivals.h"
#include "tests/support/cluster.h"

namespace omniroute::e2e {

// One agent of the scenario: logged in AVAILABLE with these skills (name -> proficiency) and
// capacities (channel -> max).
struct ScenarioAgent {
  std::string id;
  std::map<std::string, int> skills;
  std::map<v1::Channel, int> capacity;
};

// What happened in one queue, by the engine's own figures on the event feed.
struct QueueMeasure {
  // Arrivals that requested this queue (Submit's queue), whatever became of them.
  int64_t arrived = 0;
  // Accepted in this queue / canceled while waiting or offered in it (as the queue's
  // GetQueueStats counts them).
  int64_t answered = 0, abandoned = 0;
  // Of the answered, those whose wait_ms <= the queue's SLA threshold (GetQueue).
  int64_t answered_within_sl = 0;
  int64_t sla_threshold_ms = 0;
  double mean_wait_ms = 0;  // over answered: the accepted events' wait_ms (enqueue -> accept)
  double p90_wait_ms = 0;   // nearest rank
  // answered_within_sl / (answered + abandoned) * 100; 100 when both are 0 (GetQueueStats'
  // convention).
  double ServiceLevelPercent() const;
};

// How one arrival ended, as the event feed shows it.
enum class ArrivalEnd {
  kUnfinished,           // no terminal event by the end of the run (lost)
  kAnswered,             // accepted (then completed by its agent)
  kAbandoned,            // canceled while waiting or offered in a queue
  kCanceledBeforeQueue,  // canceled before routing queued it (no queue counts it)
  kRejected,             // rejected by policy (queue full, max wait, closed ...)
  kSubmitFailed,         // Submit failed, or its idempotency key had been used before
};

struct ArrivalOutcome {
  ArrivalEnd end = ArrivalEnd::kUnfinished;
  std::string interaction_id;
  std::string queue;          // answered in / abandoned from
  std::string agent_id;       // who accepted it
  int64_t wait_ms = -1;       // the accepted event's wait_ms
  int64_t submit_ms = 0;      // wall clock (ms since epoch) when Submit was sent
  int64_t submit_lag_ms = 0;  // how late Submit was sent against the run's start + at_ms
  int64_t accepted_ms = 0;    // wall clock of the accepted event (at_ms on the feed)
  int64_t ended_ms = 0;       // wall clock of the terminal event
};

struct ScenarioResult {
  // By the queue the work was answered in / abandoned from (plus the requested queues, for
  // `arrived`).
  std::map<std::string, QueueMeasure> by_queue;
  // One per arrival, in the order of the `arrivals` argument.
  std::vector<ArrivalOutcome> outcomes;
  // Sum of the answered arrivals' handle_ms / (agents x run_ms).
  double occupancy = 0;
  int64_t run_ms = 0;  // run start -> the last terminal event
  // Counts of the outcomes' ends (answered and abandoned are in by_queue).
  int64_t lost = 0;  // kUnfinished: must be 0
  int64_t canceled_before_queue = 0, rejected = 0, submit_failed = 0;
  int64_t max_submit_lag_ms = 0;
  // Everything that went wrong on the driver's side (failed calls, feed gaps, timeouts), each
  // once with a count; empty on a clean run.
  std::vector<std::string> problems;
};

struct ScenarioOptions {
  // After the last Submit, how long every arrival has to finish.
  int64_t drain_timeout_ms = 60000;
  // The reason CancelInteraction is given for a customer who hangs up (the API's default).
  std::string abandon_reason = "customer_abandoned";
};

// Logs the agents in (AVAILABLE with their skills and capacities), submits each arrival at its
// time (Submit with queue, channel, priority, idempotency key = key, and the attributes
// sim_key and sim_handle_ms), lets each agent accept every offer at once and complete it after
// the arrival's handle_ms, and cancels (options.abandon_reason) each arrival still not
// accepted patience_ms after its Submit was sent. Runs until every arrival has a terminal
// event on the tenant feed (or the drain timeout passes), then logs the agents out and
// measures. The feed is followed live from its oldest retained event (so nothing of the run
// slips by before the stream is up; a long feed left by earlier runs is read past first).
// Work offered to the agents that is not from `arrivals` (left by an earlier run) is
// completed at once. Queues and the tenant config are the caller's; the keys are the tenant's
// (admin: WatchEvents and GetQueue for the SLA thresholds; integrator: Submit and Cancel;
// agent: the agents' calls).
ScenarioResult RunScenario(testing::Cluster& cluster, const std::string& admin_key,
                           const std::string& integrator_key, const std::string& agent_key,
                           const std::vector<ScenarioAgent>& agents,
                           const std::vector<ScenarioArrival>& arrivals,
                           const ScenarioOptions& options = {});

}  // namespace omniroute::e2e
