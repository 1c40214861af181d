#pragma once

// One tenant of a demo run: its queues and config, the event feed it follows, its simulated
// people and bot, its traffic and its summary lines. The demo runs one per tenant of --tenant,
// all against the same services; with a Redis Cluster each tenant lives on the master that owns
// its hash slot.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "services/common/clock.h"
#include "tools/demo/demo_agents.h"
#include "tools/demo/demo_options.h"
#include "tools/demo/event_tracker.h"
#include "tools/demo/summary.h"
#include "tools/demo/traffic_loop.h"
#include "tools/sim/api_client.h"

namespace omniroute::demo {

class TenantRun {
 public:
  // `api` and `clock` must outlive the run. `label` starts the tenant's own output lines: ""
  // when the demo has one tenant, "demo1: " when it has several. `index` (0, 1, ...) gives each
  // tenant its own random traffic and agents.
  TenantRun(sim::ApiClient* api, const Clock* clock, TenantKeys keys, std::string label, int index);
  // Stops what is still running (traffic, agents, the event feed).
  ~TenantRun();
  TenantRun(const TenantRun&) = delete;
  TenantRun& operator=(const TenantRun&) = delete;

  // Puts the demo queues and config (false, with the failing call on stderr, on error).
  bool SetUp();
  // Follows the tenant's event feed from `after_event_id` on a thread of its own.
  void FollowEvents(const std::string& after_event_id);
  // Logs in `count` people of `roster` (0 = the whole roster) and the bot; false (reported on
  // stderr) when no person could log in.
  bool StartAgents(const std::vector<RosterEntry>& roster, int count);
  // Submits `rate` interactions per second over `channels` on a thread of its own.
  void StartTraffic(double rate, const std::vector<v1::Channel>& channels,
                    const std::string& run_id);
  // Prints the tenant's summary line `elapsed_s` seconds into the run.
  void Summary(int64_t elapsed_s);
  // Stops the traffic and waits for its thread.
  void StopTraffic();
  // Logs every agent out (after StopTraffic), keeping their figures for Finish.
  void StopAgents();
  // Prints the final summary line (after StopAgents: nothing is answered any more).
  void FinalSummary(int64_t elapsed_s);
  // Stops following the feed and, with `report`, prints what the agents did.
  void Finish(bool report);

  const TenantKeys& keys() const { return keys_; }
  const std::string& label() const { return label_; }
  const Staff& staff() const { return staff_; }

 private:
  sim::ApiClient* api_;
  const Clock* clock_;
  const TenantKeys keys_;
  const std::string label_;
  const uint64_t seed_;
  EventTracker events_;
  std::thread events_thread_;
  Staff staff_;
  std::optional<OccupancyMeter> occupancy_;  // once the people have logged in
  std::atomic<bool> stop_traffic_{false};
  TrafficCounters traffic_;
  std::thread traffic_thread_;
  bool agents_stopped_ = false;
  double final_busy_ = -1;
  sim::AgentStats agents_total_;
};

}  // namespace omniroute::demo
