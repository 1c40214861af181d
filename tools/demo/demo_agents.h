#pragma once

// The demo's simulated agents: a fixed set of skill and capacity profiles, logged in and out
// together.

#include <memory>
#include <string>
#include <vector>

#include "tools/sim/api_client.h"
#include "tools/sim/sim_agent.h"

namespace omniroute::demo {

// Logs in `count` agents (agent-01, agent-02, ...) cycling through the demo profiles, so any
// prefix covers every queue. An agent that cannot log in is reported on stderr and left out.
std::vector<std::unique_ptr<sim::SimAgent>> StartAgents(sim::ApiClient* api,
                                                        const std::string& agent_key, int count);

// Logs every agent out and returns what they did, summed.
sim::AgentStats StopAgents(const std::vector<std::unique_ptr<sim::SimAgent>>& agents);

}  // namespace omniroute::demo
