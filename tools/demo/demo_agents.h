#pragma once

// The demo's simulated agents: people staffed for the offered load (staffing.h), one pool per
// human queue, and the bot of the self-service queue; logged in and out together.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tools/demo/staffing.h"
#include "tools/sim/api_client.h"
#include "tools/sim/sim_agent.h"

namespace omniroute::demo {

// One person of the roster.
struct RosterEntry {
  std::string queue;  // the queue whose pool the person belongs to
  sim::AgentBehavior behavior;
};

// The people who give every human queue of `loads` its slots: per queue as few agents as its
// per-agent capacity allows (voice 1 call; chat 3; email 5; billing 3 chats and 3 emails), the
// slots spread evenly over them, the queue's skills and nothing that would pull them to another
// queue's work (so each pool carries its own load). Pools are interleaved, so any prefix covers
// every queue.
std::vector<RosterEntry> Roster(const std::vector<QueueLoad>& loads);

struct Staff {
  std::vector<std::unique_ptr<sim::SimAgent>> agents;  // the people, then the bot
  size_t people = 0;                                   // how many of `agents` are people
  int people_slots = 0;                                // their capacity summed over channels
  std::map<std::string, int> people_by_queue;          // pool -> people logged in
};

// Logs in `count` people (agent-01, agent-02, ...; 0 = the whole roster), cycling through
// `roster`, then the bot (bot-01); their random draws start from `seed`. An agent that cannot
// log in is reported on stderr and left out.
Staff StartAgents(sim::ApiClient* api, const std::string& agent_key,
                  const std::vector<RosterEntry>& roster, int count, uint64_t seed);

// Handle time of the work the people accepted so far, summed (ms).
int64_t PeopleBusyMs(const Staff& staff);

// Logs every agent out and returns what they did, summed.
sim::AgentStats StopAgents(const Staff& staff);

}  // namespace omniroute::demo
