#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"
#include "omniroute/v1/routing.pb.h"
#include "services/common/clock.h"
#include "services/common/keys.h"
#include "services/common/redis/pipeliner.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"
#include "services/common/redis/stream_consumer.h"
#include "services/routing/page_tokens.h"

namespace omniroute::routing {

// Interactions enqueued by one script call (a bigger batch of a tenant takes several).
inline constexpr size_t kEnqueueChunk = 50;

struct RoutingOptions {
  int64_t event_max_len = 100000;        // cap of the tenant event feed
  int64_t finished_ttl_seconds = 86400;  // how long finished interactions stay readable
  int64_t skip_ms = 30000;  // how long an agent who declined or missed an item is skipped for it
};

// An agent's requested state, free of transport types.
struct AgentUpdate {
  std::string agent_id;
  std::string state;                  // offline | available | away
  std::map<std::string, int> skills;  // replaces when non-empty
  std::map<int, int> capacity;        // channel -> max; replaces when non-empty
  std::string capacity_profile = {};  // takes the capacities from this profile when set
  std::string away_reason = {};       // why it is away (state away only)
};

// The state name the routing scripts use ("offline", "available", "away"); nullopt for
// AGENT_STATE_UNSPECIFIED.
std::optional<std::string> AgentStateName(v1::AgentState state);

// What the enqueue of one classified interaction did.
struct EnqueueResult {
  std::string tenant;
  std::string outcome;  // queued | rejected:<reason> | skipped:<state> | missing | error
};

struct AcceptResult {
  int64_t wait_ms = 0;
  std::string queue;
  int64_t sla_threshold_ms = 0;                 // of that queue when the offer was accepted
  std::vector<std::string> interaction_fields;  // the interaction's hash after the accept
};

struct CompleteResult {
  bool deflected = false;  // deflected work resolved in its self-service queue
  std::string queue;
  int64_t handle_ms = 0;   // accepted -> completed
  int64_t wrap_up_ms = 0;  // after-call work that now holds the agent's capacity (0: none)
};

// Every routing state transition, each one Lua script on Redis (see services/routing/lua/).
// No gRPC types; safe to call from any number of threads and replicas.
class RoutingEngine {
 public:
  RoutingEngine(redis::Pool* pool, const redis::Scripts* scripts, const Clock* clock,
                RoutingOptions options)
      : pool_(pool), scripts_(scripts), clock_(clock), options_(options) {}

  // The engine's clock (ms since the epoch), for callers that stamp what they write beside it.
  int64_t NowMs() const { return clock_->NowMs(); }

  // Enqueues a batch of classified-stream entries (one pipeline) and makes the offers that
  // become possible.
  absl::StatusOr<std::vector<EnqueueResult>> Enqueue(const std::vector<redis::StreamEntry>& batch);
  // The script calls Enqueue runs (one per tenant and chunk; `members`, if given, gets the
  // batch indexes of each), for a caller that pipelines them with commands of its own (the
  // what-if replay).
  std::vector<std::vector<std::string>> EnqueueCommands(
      const std::vector<redis::StreamEntry>& batch,
      std::vector<std::vector<size_t>>* members = nullptr) const;

  // Logs an agent in or out or changes its state; returns the queues it is eligible for.
  // `no_capacity` (optional) says whether it is left AVAILABLE with no capacity above 0.
  absl::StatusOr<std::vector<std::string>> SetAgentState(const std::string& tenant,
                                                         const AgentUpdate& update,
                                                         bool* no_capacity = nullptr);
  absl::StatusOr<AcceptResult> Accept(const std::string& tenant, const std::string& agent,
                                      const std::string& id);

  // The transitions agents make most, without blocking the caller: their commands go through
  // the pipeliner (set_pipeliner) and `done` runs on its thread, so it must be short and never
  // block. Without a pipeliner they run at once, blocking, and `done` runs before they return.
  using Deadline = redis::Pipeliner::Clock::time_point;
  void AcceptAsync(const std::string& tenant, const std::string& agent, const std::string& id,
                   Deadline deadline, std::function<void(absl::StatusOr<AcceptResult>)> done);
  void RejectAsync(const std::string& tenant, const std::string& agent, const std::string& id,
                   const std::string& reason, Deadline deadline,
                   std::function<void(absl::Status)> done);
  void CompleteAsync(const std::string& tenant, const std::string& agent, const std::string& id,
                     Deadline deadline, std::function<void(absl::StatusOr<CompleteResult>)> done);
  // The pipeliner of the async transitions (must outlive the engine; nullptr: none).
  void set_pipeliner(redis::Pipeliner* pipeliner) { pipeliner_ = pipeliner; }
  absl::Status Reject(const std::string& tenant, const std::string& agent, const std::string& id,
                      const std::string& reason);
  // Transfers an assigned interaction; returns "queued" or "rejected:<reason>".
  absl::StatusOr<std::string> Transfer(const std::string& tenant, const std::string& agent,
                                       const std::string& id, const std::string& to_queue,
                                       const std::string& to_agent);
  // Completes assigned work.
  absl::StatusOr<CompleteResult> Complete(const std::string& tenant, const std::string& agent,
                                          const std::string& id);
  // The command Complete runs (routing/complete.lua), for a caller that pipelines it with
  // commands of its own (the what-if replay); its reply is {'ok', ...} or a refusal.
  std::vector<std::string> CompleteCommand(const std::string& tenant, const std::string& agent,
                                           const std::string& id) const;
  // Escalates deflected work from its self-service queue (held by `agent`, or still waiting
  // there when `agent` is empty) to its human queue, recording reason and context.
  struct EscalateResult {
    std::string outcome;  // "queued" or "rejected:<reason>"
    std::string queue;    // the human queue
  };
  absl::StatusOr<EscalateResult> Escalate(const std::string& tenant, const std::string& agent,
                                          const std::string& id, const std::string& reason,
                                          const std::map<std::string, std::string>& context);

  // Changes an interaction's priority; returns the previous one (0 when none yet).
  absl::StatusOr<int> SetPriority(const std::string& tenant, const std::string& id, int priority);

  // Fires due offer deadlines of the given tenants; returns the number of lapsed offers.
  absl::StatusOr<int64_t> ExpireOffers(const std::vector<std::string>& tenants,
                                       std::map<std::string, int64_t>* per_tenant = nullptr);
  // Ends due wrap-ups of the given tenants (frees the capacity they held); returns the count.
  absl::StatusOr<int64_t> EndWrapUps(const std::vector<std::string>& tenants);
  // The commands of ExpireOffers and then EndWrapUps, for a caller that pipelines them with
  // commands of its own (the what-if replay).
  std::vector<std::vector<std::string>> TimerCommands(
      const std::vector<std::string>& tenants) const;
  // Recomputes, from each queue's business hours and the clock, whether it is open now.
  absl::Status RefreshOpenFlags(const std::vector<std::string>& tenants);
  // Matches every queue of the given tenants (work-conservation safety net).
  absl::StatusOr<int64_t> Sweep(const std::vector<std::string>& tenants);

  // Admin.
  absl::StatusOr<int64_t> PutQueue(const std::string& tenant, const v1::Queue& queue);
  absl::StatusOr<v1::Queue> GetQueue(const std::string& tenant, const std::string& name);
  absl::StatusOr<std::vector<v1::Queue>> ListQueues(const std::string& tenant);
  absl::Status DeleteQueue(const std::string& tenant, const std::string& name);
  absl::StatusOr<v1::TenantConfig> PutConfig(const std::string& tenant, v1::TenantConfig config);
  absl::StatusOr<v1::TenantConfig> GetConfig(const std::string& tenant);
  // The routing decisions recorded for an interaction, oldest first.
  absl::StatusOr<v1::ExplainRoutingResponse> Explain(const std::string& tenant,
                                                     const std::string& id);
  absl::StatusOr<v1::GetQueueStatsResponse> QueueStats(const std::string& tenant,
                                                       const std::string& queue);
  // The same for a queue whose config the caller already read (no GetQueue round trip).
  absl::StatusOr<v1::GetQueueStatsResponse> QueueStats(const std::string& tenant,
                                                       const v1::Queue& q);

  // Supervisor views (routing_engine_views.cc): reads only, O(page) in Redis, never every agent
  // or every waiting item of a tenant.
  // An agent as routing sees it; NOT_FOUND for an agent that never logged in.
  absl::StatusOr<v1::AgentView> GetAgent(const std::string& tenant, const std::string& agent);
  struct AgentQuery {
    int page_size = kDefaultPageSize;
    std::string after;  // the last agent of the previous page ("" = from the first)
    std::string queue;  // "" = any; else it must exist (NOT_FOUND)
    std::string state;  // "" = any, offline | available | away
  };
  // A page of agents ordered by id.
  absl::StatusOr<v1::ListAgentsResponse> ListAgents(const std::string& tenant,
                                                    const AgentQuery& query);
  struct WaitingQuery {
    std::string queue;  // must exist (NOT_FOUND)
    int channel = 0;    // 0 = every channel of the queue; else one it takes (INVALID_ARGUMENT)
    int page_size = kDefaultPageSize;
    std::optional<WaitingCursor> after;  // the last item of the previous page
  };
  // Up to `count` events of the tenant's feed from stream id `from` on (inclusive; "(" before
  // an id excludes it), oldest first; with `trimmed` (optional) the id of the newest event the
  // feed's cap deleted ("0-0" when none; XINFO STREAM max-deleted-entry-id), read in the same
  // round trip.
  absl::StatusOr<std::vector<v1::Event>> ReadFeed(const std::string& tenant,
                                                  const std::string& from, int count,
                                                  std::string* trimmed = nullptr);
  // A page of the work waiting in a queue, in serving order (routing/list_waiting.lua).
  absl::StatusOr<v1::ListWaitingResponse> ListWaiting(const std::string& tenant,
                                                      const WaitingQuery& query);

 private:
  // One command on a pool connection (the library loaded when Redis lacks it).
  absl::StatusOr<redis::Reply> RunCommand(const std::vector<std::string>& cmd);
  std::vector<std::vector<std::string>> AcceptCommands(const std::string& tenant,
                                                       const std::string& agent,
                                                       const std::string& id) const;
  std::vector<std::string> RejectCommand(const std::string& tenant, const std::string& agent,
                                         const std::string& id, const std::string& reason) const;
  absl::StatusOr<std::vector<std::string>> RunTransition(const std::string& script,
                                                         const std::vector<std::string>& keys,
                                                         const std::vector<std::string>& args);
  // The views of existing agents (skipped when gone): their hashes and the work they hold.
  absl::StatusOr<std::vector<v1::AgentView>> ReadAgentViews(const std::string& tenant,
                                                            const std::vector<std::string>& ids);
  // One timer-like script per tenant; args are prefix, now, extra_args.
  std::vector<std::vector<std::string>> PerTenantCommands(
      const std::string& script, const std::vector<std::string>& tenants,
      const std::function<std::vector<std::string>(const TenantKeys&)>& keys_of,
      const std::vector<std::string>& extra_args) const;
  std::vector<std::string> ExpireOffersArgs() const;
  // Runs one timer-like script per tenant in one pipeline; args are prefix, now, extra_args.
  absl::StatusOr<int64_t> RunPerTenant(
      const std::string& script, const std::vector<std::string>& tenants,
      const std::function<std::vector<std::string>(const TenantKeys&)>& keys_of,
      const std::vector<std::string>& extra_args,
      std::map<std::string, int64_t>* per_tenant = nullptr);

  redis::Pool* pool_;
  const redis::Scripts* scripts_;
  const Clock* clock_;
  RoutingOptions options_;
  redis::Pipeliner* pipeliner_ = nullptr;
};

// Maps a transition script's refusal ("not_offered", "wrong_agent", ...) to a status.
absl::Status TransitionError(const std::vector<std::string>& reply, const std::string& id,
                             const std::string& agent);
// A transition script's reply as strings, or the status of its refusal or failure.
absl::StatusOr<std::vector<std::string>> DecodeTransition(const redis::Reply& reply,
                                                          const std::string& script,
                                                          const std::string& id,
                                                          const std::string& agent);

}  // namespace omniroute::routing
