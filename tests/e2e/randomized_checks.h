// The checks of the randomized run (randomized_test.cc). Each adds a test failure for every
// problem it finds (the first few of a kind) and records its counts in a RunOutcome for the
// summary line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "services/common/redis/redis_client.h"
#include "tests/e2e/e2e_feed.h"
#include "tests/e2e/e2e_replay.h"
#include "tests/e2e/idle_sampler.h"
#include "tests/e2e/randomized_world.h"
#include "tools/sim/sim_agent.h"

namespace omniroute::e2e {

// What a randomized run did and what its checks found.
struct RunOutcome {
  size_t acked = 0;  // submissions acknowledged
  int64_t cancel_planned = 0;
  size_t events = 0;  // in the feed at the end
  double submit_s = 0;
  double drain_s = 0;     // from the first submission until all work ended
  sim::AgentStats stats;  // every agent's, added up
  // (a) and (b)
  int owner_violations = 0;
  int capacity_violations = 0;
  // (c)
  int no_end = 0;
  int many_ends = 0;
  int unknown = 0;
  int mismatched = 0;                   // GetInteraction disagrees with the feed
  std::map<std::string, int64_t> ends;  // terminal event type -> interactions
  std::vector<std::string> leftovers;   // what was left in Redis
  // What the run exercised.
  int64_t away_missed = 0;
  int64_t came_back = 0;
  int64_t stayed_away = 0;
  int64_t extra_skill_items = 0;
  int64_t lapsed_late = 0;  // offers that lapsed on agents that never miss on purpose
  std::map<std::string, int64_t> canceled_from;  // state canceled from -> interactions
  int step_queues = 0;                           // queues with bullseye steps
};

// A terminal event type: completed, canceled or rejected_by_policy.
bool IsTerminal(const std::string& type);

// Agents: all settle (available again, no more misbehaving); none holds capacity then. Adds up
// the agents' stats in out->stats and keeps each agent's in `agent_stats`.
void CheckAgentsSettle(RandomizedWorld& w, redis::Connection& redis, RunOutcome* out,
                       std::map<std::string, sim::AgentStats>* agent_stats);

// (a) one owner and (b) capacity, replayed from the feed: the violations the replay found, and
// every agent's load back at zero.
void CheckOwnersAndCapacity(const Replay& replay, RunOutcome* out);

// (c) exactly one terminal state per acknowledged interaction, the same in the feed and
// through GetInteraction; none for unknown ids; nothing lost.
// `terminal`: interaction -> its terminal event types in the feed.
void CheckTerminalStates(RandomizedWorld& w, const std::set<std::string>& acked,
                         const std::map<std::string, std::vector<std::string>>& terminal,
                         const Replay& replay, RunOutcome* out);

// Nothing left behind: no waiting work or its indexes, no offer timers, no overdue max-wait
// timers, no skip sets, no reservations, no pending or unprocessed stream entries, no work
// counted in flight, and (all agents logged out) no eligible-agent index entries; the queues'
// answered counters add up to the accepted events.
void CheckNothingLeft(RandomizedWorld& w, redis::Connection& redis, Replay& replay,
                      RunOutcome* out);

// (d) no eligible agent left idle beside waiting work for more than 100 ms. Each violation
// is told with the routing view at the time and the feed events of its agent and item.
void CheckIdle(const IdleReport& idle, const std::vector<FeedEvent>& feed);

// The run exercised what it claims to; every agent set away for missed offers came back by
// itself (before the agents settled; one set away in the last 5 s may still be on its way: a
// loaded agent sees its offer stream late).
// `feed_before_settle`: the events before the agents settled.
void CheckExercised(RandomizedWorld& w, const std::vector<FeedEvent>& feed,
                    size_t feed_before_settle, std::map<std::string, sim::AgentStats>& agent_stats,
                    Replay& replay, RunOutcome* out);

}  // namespace omniroute::e2e
