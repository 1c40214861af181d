#pragma once

// The Redis state of one omniroute-decision-bench scenario: a private redis-server holding one
// tenant with one chat queue, `queued` waiting interactions and `agents` agents, driven through
// a RoutingEngine with a FakeClock (as the integration tests do). See load-tests/README.md,
// "Decision latency vs scale".

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/keys.h"
#include "services/common/redis/redis_client.h"
#include "services/routing/routing_engine.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"

namespace omniroute::bench::decision {

inline constexpr char kTenant[] = "decision";
inline constexpr char kQueue[] = "dq";
inline constexpr int kChannel = 2;  // CHANNEL_CHAT
// Waiting work is priority 3 (default head start 30 s); the enqueue path submits priority 1
// (120 s), so its item ranks first and is the one offered.
inline constexpr int kBacklogPriority = 3;
inline constexpr int kUrgentPriority = 1;

struct Size {
  std::string name;  // "A", "B"
  int64_t queued;    // waiting interactions kept in the queue
  int agents;        // agents in total (busy + rotating)
  int rotating;      // agents kept AWAY between decisions (the rest hold one assigned item)
  int fill_batch;    // commands per pipeline when populating
};

// used_memory around the bulk fill, and the MEMORY USAGE of single interaction hashes.
struct MemoryFigures {
  int64_t items = 0;
  int64_t before = 0;
  int64_t after_hashes = 0;
  int64_t after_indexes = 0;
  int64_t populated_hash = 0;  // MEMORY USAGE of one populated hash
  int64_t metadata_hash = 0;   // ... of a hash with every field intake + classification write
};

struct SetupFigures {
  double agents_seconds = 0;  // logging in every agent AWAY
  double fill_seconds = 0;    // pipelined HSET + ZADD of the backlog
  double busy_seconds = 0;    // busy agents: AVAILABLE -> offer -> accept, through the scripts
  std::string verify;         // what the populate check compared
  MemoryFigures memory;
};

class World {
 public:
  // Starts redis-server and builds the scenario. `interrupted` stops a long fill.
  static absl::StatusOr<std::unique_ptr<World>> Create(const Size& size,
                                                       const std::atomic<bool>& interrupted);
  ~World();

  const Size& size() const { return size_; }
  const SetupFigures& setup() const { return setup_; }
  routing::RoutingEngine& engine() { return *engine_; }
  testing::FakeClock& clock() { return clock_; }
  redis::Connection& conn() { return *conn_; }
  const TenantKeys& keys() const { return keys_; }
  const std::vector<std::string>& rotating() const { return rotating_; }
  const std::vector<std::string>& busy() const { return busy_; }
  // The item each busy agent holds (assigned).
  std::map<std::string, std::string>& holding() { return holding_; }
  std::string version() const { return version_; }

  // Appends `count` queued interactions at the tail (queued now), the way the bulk fill does.
  absl::Status AddQueued(int64_t count);
  // Writes a classified interaction (the fields routing reads) and appends it to the classified
  // stream, as classification does; returns {id, stream entry id}.
  absl::StatusOr<std::pair<std::string, std::string>> AddClassified(int priority);
  // The interaction of the agent's newest offer.
  absl::StatusOr<std::string> LastOffer(const std::string& agent);
  // ZCARD of the open-offer timers, of the routing-order and of the age-order waiting sets.
  absl::StatusOr<int64_t> Card(const std::string& key);
  std::string WaitingKey() const { return keys_.Waiting(kQueue, kChannel); }
  std::string AgeKey() const { return keys_.WaitingByAge(kQueue, kChannel); }
  // Makes the agent AVAILABLE through agent_state.lua without an offer: the waiting set is
  // renamed away for that one call (O(1)), so the agent ends free and indexed, the state
  // agent_state.lua has between agent_refresh and match_agent.
  absl::Status FreeAgentWithoutOffer(const std::string& agent);
  // Checks that the waiting sets hold `size.queued` items and no offer is open.
  absl::Status CheckSteadyState();
  // INFO commandstats: command (lower case) -> {calls, usec}. Commands that scripts run are
  // counted too; the fcall usec includes theirs.
  absl::StatusOr<std::map<std::string, std::pair<int64_t, int64_t>>> CommandStats();
  int64_t UsedMemory();
  // {XLEN, MEMORY USAGE} of the classified stream (its entries are acknowledged, not deleted).
  absl::StatusOr<std::pair<int64_t, int64_t>> ClassifiedStreamUsage();

 private:
  World(const Size& size);
  absl::Status Build(const std::atomic<bool>& interrupted);
  absl::Status LoginAgentsAway();
  absl::Status VerifyPopulate();
  absl::Status Fill(int64_t count, const std::atomic<bool>& interrupted);
  absl::Status LoginBusyAgents(const std::atomic<bool>& interrupted);
  absl::Status MeasureHashSizes();
  // One HSET with the fields enqueue.lua leaves on a queued interaction.
  std::vector<std::string> HashCommand(const std::string& id, int64_t queued_ms) const;
  std::string NewId();
  absl::StatusOr<std::vector<redis::Reply>> Pipeline(const std::vector<std::vector<std::string>>&);
  absl::StatusOr<redis::Reply> Cmd(const std::vector<std::string>& argv);
  // A flat field/value reply (HGETALL, a stream entry's fields) as a map.
  static std::map<std::string, std::string> FlatToMap(const redis::Reply& r);

  Size size_;
  SetupFigures setup_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<redis::Connection> conn_;
  testing::FakeClock clock_;
  std::unique_ptr<routing::RoutingEngine> engine_;
  TenantKeys keys_{kTenant};
  int64_t next_id_ = 1;
  std::vector<std::string> rotating_, busy_;
  std::map<std::string, std::string> holding_;
  std::string version_;
};

}  // namespace omniroute::bench::decision
