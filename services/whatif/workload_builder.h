// A recorded workload from a tenant's event feed: who arrived when, as what, how long agents
// held it, how long customers waited before they gave up, and the roster over time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "omniroute/v1/admin.pb.h"
#include "omniroute/v1/routing.pb.h"

namespace omniroute::whatif {

// Feed events in, a Workload out. The events must be the tenant's, in feed order; only
// interactions submitted inside the window become arrivals (work that arrived before it is
// left out, so start the window when little is open).
class WorkloadBuilder {
 public:
  // `agents`: the roster as ListAgents shows it when the recording starts (for a window in
  // the past: now; an agent's state at the start is then taken from its first state change in
  // the window, when it has one).
  WorkloadBuilder(std::string tenant, int64_t start_ms, v1::TenantConfig config,
                  std::vector<v1::Queue> queues, const std::vector<v1::AgentView>& agents);

  // Takes one event (the caller stops feeding at the window's end; completions of work that
  // arrived inside it may still come after).
  void Add(const v1::Event& event);
  // The workload of [start_ms, end_ms): arrivals submitted and roster changes made inside it.
  v1::Workload Finish(int64_t end_ms);

  // How many events were taken (inside the window).
  int64_t events() const { return events_; }

 private:
  struct Track {
    v1::WorkloadArrival arrival;
    int64_t submitted_ms = 0, accepted_ms = 0;
    bool ended = false;
  };
  void AgentChanged(const v1::Event& event);

  v1::Workload workload_;
  std::map<std::string, v1::WorkloadAgentChange> start_roster_;  // agent -> state at the start
  std::map<std::string, bool> seen_agent_;  // agents whose first change in the window came
  std::vector<std::string> order_;          // interactions by submission
  std::map<std::string, Track> tracks_;
  int64_t end_ms_ = 0;
  int64_t events_ = 0;
};

// "PRIORITY_P2" or "2" as a Priority (PRIORITY_UNSPECIFIED when neither).
v1::Priority ParsePriority(const std::string& text);

// Agent change of a SetAgentState-like JSON map of {"name": int} (skills) or {"<channel>": max}
// (capacities); empty on anything else.
std::vector<v1::Skill> SkillsFromJson(const std::string& json);
std::vector<v1::ChannelCapacity> CapacitiesFromJson(const std::string& json);

}  // namespace omniroute::whatif
