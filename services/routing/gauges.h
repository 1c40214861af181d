#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/routing.pb.h"
#include "services/common/redis/redis_client.h"
#include "services/common/wait_estimate.h"

namespace omniroute::routing {

// One agent as the gauges see it: P:ag:<a> (flat HGETALL) and the queues it is eligible for.
struct AgentRow {
  std::vector<std::string> fields;  // HGETALL P:ag:<a>
  std::vector<std::string> queues;  // SMEMBERS P:agq:<a>
};

// What the agent gauges export for one tenant.
struct AgentTally {
  // offline | away | idle | busy (every state present, 0 when no agent is in it).
  std::map<std::string, int64_t> by_state;
  int64_t capacity_slots = 0;  // summed cap:<ch> of available (signed-in, ready) agents
  // Of those, the slots that cannot take work: holding work (load:<ch>), or free but blocked
  // by the cross-channel rule (every other channel of an agent on an exclusive channel, the
  // exclusive channels of an agent holding work elsewhere).
  int64_t busy_slots = 0;
  // Available agents eligible for each queue (staffed), whether or not they have a free slot.
  std::map<std::string, int64_t> staffed_by_queue;
  // Their slots per queue and channel number (summed cap:<ch>): the servers of the estimated
  // wait.
  std::map<std::string, std::map<int, int64_t>> staffed_slots;
};

// An agent's slots as its hash P:ag:<a> holds them (flat HGETALL fields): state, and capacity
// and load by channel (as in cap:<ch>; garbled or negative counts read as 0).
struct AgentSlots {
  std::string state;
  std::map<std::string, int64_t> cap, load;
  // Whether free slots on `ch` are blocked by the cross-channel rule (as the routing scripts
  // decide, agent_free.lua): the agent holds work on another channel, and `ch` or that channel
  // is worked alone (`exclusive`).
  bool Blocked(const std::string& ch, const std::set<std::string>& exclusive) const;
};
AgentSlots ParseAgentSlots(const std::vector<std::string>& fields);

// `exclusive`: the tenant's channels worked alone (channel numbers as in cap:<ch>; none by
// default, ReadExclusiveChannels reads a tenant's).
AgentTally TallyAgents(const std::vector<AgentRow>& agents,
                       const std::set<std::string>& exclusive = {});

// Sets the estimated wait of work entering each channel of `stats` now (position waiting + 1,
// the channel's free agents) from the queue's inputs, and the queue's: the longest of its
// channels'. Channels without an estimate (stale or missing inputs, nobody staffed) get none.
void SetEstimatedWaits(const WaitInputs& inputs, int64_t now_ms, v1::GetQueueStatsResponse* stats);

// One consumer group of a stream (XINFO GROUPS).
struct StreamGroupInfo {
  std::string group;
  int64_t pending = 0;
  std::optional<int64_t> lag;  // Redis reports no lag when it cannot tell (after deletions)
};

// Parses an XINFO GROUPS reply (RESP2: an array of flat field/value arrays).
std::vector<StreamGroupInfo> ParseStreamGroups(const redis::Reply& reply);

// Reads every agent of `tenant` (SMEMBERS, then one pipeline of HGETALL + SMEMBERS each).
// The tenant's channels worked alone: P:cfg 'exclusive' (csv of channel numbers), voice when
// the config never set it (as the routing scripts read it).
absl::StatusOr<std::set<std::string>> ReadExclusiveChannels(redis::Connection& conn,
                                                            const std::string& tenant);
// The same from the reply of HGET P:cfg exclusive.
std::set<std::string> ExclusiveChannels(const redis::Reply& reply);

absl::StatusOr<std::vector<AgentRow>> ReadAgents(redis::Connection& conn,
                                                 const std::string& tenant);

}  // namespace omniroute::routing
