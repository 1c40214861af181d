#include "services/routing/routing_engine.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "services/common/interaction_codec.h"
#include "services/common/keys.h"
#include "services/common/tenant_config.h"
#include "services/routing/engine_util.h"

namespace omniroute::routing {

using internal::ToInt;
using internal::Unavailable;

absl::Status TransitionError(const std::vector<std::string>& reply, const std::string& id,
                             const std::string& agent) {
  if (reply.empty()) return absl::InternalError("empty script reply");
  const std::string& what = reply[0];
  if (what == "ok") return absl::OkStatus();
  if (what == "not_found") {
    return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", id));
  }
  if (what == "wrong_agent") {
    return absl::FailedPreconditionError(
        absl::StrCat("agent_id: interaction ", id, " is not offered to or held by ", agent));
  }
  std::string state = reply.size() > 1 ? reply[1] : "unknown";
  if (what == "not_offered") {
    return absl::FailedPreconditionError(
        absl::StrCat("interaction_id: interaction ", id, " has no open offer (state ", state, ")"));
  }
  if (what == "not_assigned") {
    return absl::FailedPreconditionError(
        absl::StrCat("interaction_id: interaction ", id, " is not assigned (state ", state, ")"));
  }
  return absl::InternalError(absl::StrCat("unexpected script reply ", what));
}

absl::StatusOr<std::vector<std::string>> RoutingEngine::RunTransition(
    const std::string& script, const std::vector<std::string>& keys,
    const std::vector<std::string>& args) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto reply = scripts_->Eval(**conn, script, keys, args);
  if (!reply.ok()) {
    return reply.status().code() == absl::StatusCode::kUnavailable ? Unavailable(reply.status())
                                                                   : reply.status();
  }
  return redis::ReplyStrings(*reply);
}

absl::StatusOr<redis::Reply> RoutingEngine::RunCommand(const std::vector<std::string>& cmd) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  std::vector<std::vector<std::string>> cmds = {cmd};
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  return std::move((*replies)[0]);
}

std::optional<std::string> AgentStateName(v1::AgentState state) {
  switch (state) {
    case v1::AGENT_STATE_OFFLINE:
      return "offline";
    case v1::AGENT_STATE_AVAILABLE:
      return "available";
    case v1::AGENT_STATE_AWAY:
      return "away";
    default:
      return std::nullopt;
  }
}

absl::StatusOr<std::vector<std::string>> DecodeTransition(const redis::Reply& reply,
                                                          const std::string& script,
                                                          const std::string& id,
                                                          const std::string& agent) {
  // An error reply: UNAVAILABLE when Redis said "not now" (BUSY, LOADING, ...), else INTERNAL.
  if (auto st = redis::ReplyError(reply, "script " + script); !st.ok()) return st;
  auto r = redis::ReplyStrings(reply);
  if (auto st = TransitionError(r, id, agent); !st.ok()) return st;
  return r;
}

std::vector<std::vector<std::string>> RoutingEngine::EnqueueCommands(
    const std::vector<redis::StreamEntry>& batch, std::vector<std::vector<size_t>>* members) const {
  std::string now = std::to_string(clock_->NowMs());
  // One script call per tenant and chunk (routing/enqueue.lua): the entries of a tenant, in
  // order, kEnqueueChunk at most, so that no call holds Redis for long.
  std::vector<std::vector<std::string>> cmds;
  std::vector<std::vector<size_t>> local;
  if (members == nullptr) members = &local;
  std::map<std::string, size_t> open_cmd;  // tenant -> its command being filled
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& e = batch[i];
    auto it = open_cmd.find(e.tenant);
    if (it == open_cmd.end() || (*members)[it->second].size() >= kEnqueueChunk) {
      TenantKeys keys(e.tenant);
      cmds.push_back(scripts_->Command(
          "routing/enqueue", {keys.ClassifiedStream(), keys.Events()},
          {keys.prefix(), kRoutingGroup, now, std::to_string(options_.event_max_len),
           std::to_string(options_.finished_ttl_seconds)}));
      members->emplace_back();
      it = open_cmd.insert_or_assign(e.tenant, cmds.size() - 1).first;
    }
    cmds[it->second].push_back(e.interaction_id);
    cmds[it->second].push_back(e.entry_id);
    (*members)[it->second].push_back(i);
  }
  return cmds;
}

absl::StatusOr<std::vector<EnqueueResult>> RoutingEngine::Enqueue(
    const std::vector<redis::StreamEntry>& batch) {
  std::vector<std::vector<size_t>> members;
  auto cmds = EnqueueCommands(batch, &members);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  std::vector<EnqueueResult> out(batch.size());
  for (size_t c = 0; c < replies->size(); ++c) {
    const auto& r = (*replies)[c];
    bool ok = !r.is_error() && r.elements.size() == members[c].size();
    // "unavailable": Redis answered "not now"; the entries stay pending and are taken back.
    const char* failed = redis::IsTransientError(r) ? "unavailable" : "error";
    for (size_t k = 0; k < members[c].size(); ++k) {
      size_t i = members[c][k];
      out[i] = {batch[i].tenant, ok ? r.elements[k].str : failed};
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> RoutingEngine::SetAgentState(const std::string& tenant,
                                                                      const AgentUpdate& u,
                                                                      bool* no_capacity) {
  TenantKeys keys(tenant);
  std::string caps;
  if (!u.capacity.empty()) {
    std::map<std::string, int> by_name;
    for (const auto& [ch, max] : u.capacity) by_name[std::to_string(ch)] = max;
    caps = EncodeSkills(by_name);  // the same {"key":int} JSON shape
  }
  auto r =
      RunTransition("routing/agent_state", {keys.Agent(u.agent_id), keys.Events()},
                    {keys.prefix(), u.agent_id, u.state, std::to_string(clock_->NowMs()),
                     u.skills.empty() ? "" : EncodeSkills(u.skills), caps,
                     std::to_string(options_.event_max_len), u.capacity_profile, u.away_reason});
  if (r.ok() && r->size() == 1 && (*r)[0] == "!unknown_profile") {
    return absl::FailedPreconditionError(absl::StrCat(
        "capacity_profile: the tenant config has no profile named '", u.capacity_profile, "'"));
  }
  bool none = r.ok() && !r->empty() && r->front() == "!no_capacity";
  if (none) r->erase(r->begin());
  if (no_capacity != nullptr) *no_capacity = none;
  return r;
}

std::vector<std::vector<std::string>> RoutingEngine::AcceptCommands(const std::string& tenant,
                                                                    const std::string& agent,
                                                                    const std::string& id) const {
  TenantKeys keys(tenant);
  // One round trip: the transition, then the interaction as it left it (read by Redis right
  // after the script, on the same connection).
  return {scripts_->Command("routing/accept", {keys.Interaction(id), keys.Events()},
                            {keys.prefix(), id, agent, std::to_string(clock_->NowMs()),
                             std::to_string(options_.event_max_len)}),
          {"HGETALL", keys.Interaction(id)}};
}

static absl::StatusOr<AcceptResult> DecodeAccept(const std::vector<redis::Reply>& replies,
                                                 const std::string& id, const std::string& agent) {
  if (replies.size() != 2) return absl::InternalError("routing/accept: missing replies");
  if (auto st = redis::ReplyError(replies[0], "routing/accept"); !st.ok()) return st;
  auto r = redis::ReplyStrings(replies[0]);
  if (auto st = TransitionError(r, id, agent); !st.ok()) return st;
  AcceptResult out;
  if (r.size() >= 4) {
    out.wait_ms = ToInt(r[1]);
    out.queue = r[2];
    out.sla_threshold_ms = ToInt(r[3]);
  }
  out.interaction_fields = redis::ReplyStrings(replies[1]);
  return out;
}

absl::StatusOr<AcceptResult> RoutingEngine::Accept(const std::string& tenant,
                                                   const std::string& agent,
                                                   const std::string& id) {
  auto cmds = AcceptCommands(tenant, agent, id);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  bool retried = (*replies)[0].is_error();
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  if (retried && !(*replies)[0].is_error()) {
    auto again = (*conn)->Command(cmds[1]);  // the HGETALL ran before the script did
    if (!again.ok()) return Unavailable(again.status());
    (*replies)[1] = std::move(*again);
  }
  return DecodeAccept(*replies, id, agent);
}

void RoutingEngine::AcceptAsync(const std::string& tenant, const std::string& agent,
                                const std::string& id, Deadline deadline,
                                std::function<void(absl::StatusOr<AcceptResult>)> done) {
  if (pipeliner_ == nullptr) return done(Accept(tenant, agent, id));
  pipeliner_->Submit(AcceptCommands(tenant, agent, id), deadline,
                     [id, agent, done = std::move(done)](auto replies) {
                       if (!replies.ok()) return done(replies.status());
                       done(DecodeAccept(*replies, id, agent));
                     });
}

std::vector<std::string> RoutingEngine::RejectCommand(const std::string& tenant,
                                                      const std::string& agent,
                                                      const std::string& id,
                                                      const std::string& reason) const {
  TenantKeys keys(tenant);
  return scripts_->Command(
      "routing/reject", {keys.Interaction(id), keys.Events()},
      {keys.prefix(), id, agent, std::to_string(clock_->NowMs()),
       std::to_string(options_.event_max_len), reason, std::to_string(options_.skip_ms)});
}

absl::Status RoutingEngine::Reject(const std::string& tenant, const std::string& agent,
                                   const std::string& id, const std::string& reason) {
  auto reply = RunCommand(RejectCommand(tenant, agent, id, reason));
  if (!reply.ok()) return reply.status();
  return DecodeTransition(*reply, "routing/reject", id, agent).status();
}

void RoutingEngine::RejectAsync(const std::string& tenant, const std::string& agent,
                                const std::string& id, const std::string& reason, Deadline deadline,
                                std::function<void(absl::Status)> done) {
  if (pipeliner_ == nullptr) return done(Reject(tenant, agent, id, reason));
  pipeliner_->Submit({RejectCommand(tenant, agent, id, reason)}, deadline,
                     [id, agent, done = std::move(done)](auto replies) {
                       if (!replies.ok()) return done(replies.status());
                       done(DecodeTransition((*replies)[0], "routing/reject", id, agent).status());
                     });
}

absl::StatusOr<std::string> RoutingEngine::Transfer(const std::string& tenant,
                                                    const std::string& agent, const std::string& id,
                                                    const std::string& to_queue,
                                                    const std::string& to_agent) {
  TenantKeys keys(tenant);
  auto r = RunTransition(
      "routing/transfer", {keys.Interaction(id), keys.Events()},
      {keys.prefix(), id, agent, std::to_string(clock_->NowMs()),
       std::to_string(options_.event_max_len), to_queue, to_agent, std::to_string(options_.skip_ms),
       std::to_string(options_.finished_ttl_seconds)});
  if (!r.ok()) return r.status();
  if (auto st = TransitionError(*r, id, agent); !st.ok()) return st;
  return r->size() > 1 ? (*r)[1] : std::string("queued");
}

std::vector<std::string> RoutingEngine::CompleteCommand(const std::string& tenant,
                                                        const std::string& agent,
                                                        const std::string& id) const {
  TenantKeys keys(tenant);
  return scripts_->Command(
      "routing/complete", {keys.Interaction(id), keys.Events()},
      {keys.prefix(), id, agent, std::to_string(clock_->NowMs()),
       std::to_string(options_.event_max_len), std::to_string(options_.finished_ttl_seconds)});
}

static absl::StatusOr<CompleteResult> DecodeComplete(const redis::Reply& reply,
                                                     const std::string& id,
                                                     const std::string& agent) {
  auto r = DecodeTransition(reply, "routing/complete", id, agent);
  if (!r.ok()) return r.status();
  CompleteResult out;
  if (r->size() >= 5) {
    out.deflected = (*r)[1] == "deflected";
    out.queue = (*r)[2];
    out.handle_ms = ToInt((*r)[3]);
    out.wrap_up_ms = ToInt((*r)[4]);
  }
  return out;
}

absl::StatusOr<CompleteResult> RoutingEngine::Complete(const std::string& tenant,
                                                       const std::string& agent,
                                                       const std::string& id) {
  auto reply = RunCommand(CompleteCommand(tenant, agent, id));
  if (!reply.ok()) return reply.status();
  return DecodeComplete(*reply, id, agent);
}

void RoutingEngine::CompleteAsync(const std::string& tenant, const std::string& agent,
                                  const std::string& id, Deadline deadline,
                                  std::function<void(absl::StatusOr<CompleteResult>)> done) {
  if (pipeliner_ == nullptr) return done(Complete(tenant, agent, id));
  pipeliner_->Submit({CompleteCommand(tenant, agent, id)}, deadline,
                     [id, agent, done = std::move(done)](auto replies) {
                       if (!replies.ok()) return done(replies.status());
                       done(DecodeComplete((*replies)[0], id, agent));
                     });
}

absl::StatusOr<RoutingEngine::EscalateResult> RoutingEngine::Escalate(
    const std::string& tenant, const std::string& agent, const std::string& id,
    const std::string& reason, const std::map<std::string, std::string>& context) {
  TenantKeys keys(tenant);
  std::vector<std::string> args = {keys.prefix(),
                                   id,
                                   agent,
                                   std::to_string(clock_->NowMs()),
                                   std::to_string(options_.event_max_len),
                                   reason,
                                   std::to_string(options_.finished_ttl_seconds)};
  for (const auto& [key, value] : context) {
    args.push_back(key);
    args.push_back(value);
  }
  auto r = RunTransition("routing/escalate", {keys.Interaction(id), keys.Events()}, args);
  if (!r.ok()) return r.status();
  if (r->empty()) return absl::InternalError("empty script reply");
  const std::string& what = (*r)[0];
  std::string detail = r->size() > 1 ? (*r)[1] : "";
  if (what == "ok") return EscalateResult{detail, r->size() > 2 ? (*r)[2] : ""};
  if (what == "not_deflected") {
    return absl::FailedPreconditionError(absl::StrCat(
        "interaction_id: interaction ", id,
        " was not deflected to self-service (no self-service intent, or no self_service_queue)"));
  }
  if (what == "already_escalated") {
    return absl::FailedPreconditionError(absl::StrCat("interaction_id: interaction ", id,
                                                      " was already escalated to queue ", detail));
  }
  if (what == "not_in_self_service") {
    return absl::FailedPreconditionError(
        absl::StrCat("interaction_id: interaction ", id,
                     " is no longer in its self-service queue (now in '", detail, "')"));
  }
  if (what == "not_waiting") {
    return absl::FailedPreconditionError(absl::StrCat("agent_id: empty, but interaction ", id,
                                                      " is not waiting (state ", detail,
                                                      "); the agent holding it escalates it"));
  }
  return TransitionError(*r, id, agent);
}

absl::StatusOr<int> RoutingEngine::SetPriority(const std::string& tenant, const std::string& id,
                                               int priority) {
  TenantKeys keys(tenant);
  auto r = RunTransition("routing/reprioritize", {keys.Interaction(id), keys.Events()},
                         {keys.prefix(), id, std::to_string(priority),
                          std::to_string(clock_->NowMs()), std::to_string(options_.event_max_len)});
  if (!r.ok()) return r.status();
  if (r->empty()) return absl::InternalError("empty script reply");
  if ((*r)[0] == "not_found") {
    return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", id));
  }
  if ((*r)[0] == "ended") {
    return absl::FailedPreconditionError(absl::StrCat(
        "interaction_id: interaction ", id, " has ended (", r->size() > 1 ? (*r)[1] : "", ")"));
  }
  return static_cast<int>(r->size() > 1 ? ToInt((*r)[1]) : 0);
}

}  // namespace omniroute::routing
