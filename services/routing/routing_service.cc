#include "services/routing/routing_service.h"

#include <chrono>
#include <map>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/common/interaction_codec.h"
#include "services/common/log/log.h"
#include "services/common/tenant_config.h"
#include "services/common/validation.h"

namespace omniroute::routing {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

grpc::ServerUnaryReactor* RoutingService::SetAgentState(grpc::CallbackServerContext* ctx,
                                                        const v1::SetAgentStateRequest* req,
                                                        v1::SetAgentStateResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoSetAgentState(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* RoutingService::TransferInteraction(
    grpc::CallbackServerContext* ctx, const v1::TransferInteractionRequest* req,
    v1::TransferInteractionResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoTransferInteraction(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* RoutingService::EscalateInteraction(
    grpc::CallbackServerContext* ctx, const v1::EscalateInteractionRequest* req,
    v1::EscalateInteractionResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoEscalateInteraction(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* RoutingService::SetPriority(grpc::CallbackServerContext* ctx,
                                                      const v1::SetPriorityRequest* req,
                                                      v1::SetPriorityResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoSetPriority(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* RoutingService::GetQueueStats(grpc::CallbackServerContext* ctx,
                                                        const v1::GetQueueStatsRequest* req,
                                                        v1::GetQueueStatsResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoGetQueueStats(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* RoutingService::ExplainRouting(grpc::CallbackServerContext* ctx,
                                                         const v1::ExplainRoutingRequest* req,
                                                         v1::ExplainRoutingResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoExplainRouting(*ctx, *req, resp); });
}

grpc::Status RoutingService::DoSetAgentState(const Ctx& ctx, const v1::SetAgentStateRequest& req,
                                             v1::SetAgentStateResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id(), req.agent_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req.agent_id()); !st.ok()) return ToGrpc(st);
  AgentUpdate u;
  u.agent_id = req.agent_id();
  auto state = AgentStateName(req.state());
  if (!state.has_value()) return ToGrpc(absl::InvalidArgumentError("state: is required"));
  u.state = *state;
  if (req.skills_size() > 64) return ToGrpc(absl::InvalidArgumentError("skills: more than 64"));
  for (int i = 0; i < req.skills_size(); ++i) {
    const auto& s = req.skills(i);
    if (auto st = ValidateName(absl::StrCat("skills[", i, "].name"), s.name()); !st.ok()) {
      return ToGrpc(st);
    }
    if (s.proficiency() < 1 || s.proficiency() > 5) {
      return ToGrpc(
          absl::InvalidArgumentError(absl::StrCat("skills[", i, "].proficiency: must be 1..5")));
    }
    u.skills[s.name()] = s.proficiency();
  }
  if (auto st = ValidateCapacities("capacities", req.capacities()); !st.ok()) return ToGrpc(st);
  for (const auto& c : req.capacities()) u.capacity[c.channel()] = c.max();
  if (!req.capacity_profile().empty()) {
    if (auto st = ValidateName("capacity_profile", req.capacity_profile()); !st.ok()) {
      return ToGrpc(st);
    }
    if (req.capacities_size() > 0) {
      return ToGrpc(absl::InvalidArgumentError(
          "capacity_profile: give either capacities or a capacity profile, not both"));
    }
    u.capacity_profile = req.capacity_profile();
  }
  if (!req.away_reason().empty()) {
    if (req.state() != v1::AGENT_STATE_AWAY) {
      return ToGrpc(absl::InvalidArgumentError("away_reason: only with state AGENT_STATE_AWAY"));
    }
    if (auto st = ValidateText("away_reason", req.away_reason(), 64); !st.ok()) return ToGrpc(st);
    u.away_reason = req.away_reason();
  }
  bool no_capacity = false;
  auto queues = engine_->SetAgentState(principal->tenant, u, &no_capacity);
  if (!queues.ok()) return ToGrpc(queues.status());
  for (auto& q : *queues) resp->add_eligible_queues(q);
  if (no_capacity) {
    resp->add_warnings(
        "capacities: none above 0 on any channel, so this agent is offered no work (give "
        "capacities or a capacity_profile)");
  }
  return grpc::Status::OK;
}

grpc::Status RoutingService::DoTransferInteraction(const Ctx& ctx,
                                                   const v1::TransferInteractionRequest& req,
                                                   v1::TransferInteractionResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id(), req.agent_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req.agent_id()); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateInteractionId("interaction_id", req.interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (!req.target_queue().empty()) {
    if (auto st = ValidateName("target_queue", req.target_queue()); !st.ok()) return ToGrpc(st);
    auto q = engine_->GetQueue(principal->tenant, req.target_queue());
    if (!q.ok()) {
      return ToGrpc(q.status().code() == absl::StatusCode::kNotFound
                        ? absl::InvalidArgumentError(absl::StrCat("target_queue: no queue named '",
                                                                  req.target_queue(), "'"))
                        : q.status());
    }
  }
  if (!req.target_agent_id().empty()) {
    if (auto st = ValidateExternalId("target_agent_id", req.target_agent_id()); !st.ok()) {
      return ToGrpc(st);
    }
  }
  auto result = engine_->Transfer(principal->tenant, req.agent_id(), req.interaction_id(),
                                  req.target_queue(), req.target_agent_id());
  if (!result.ok()) return ToGrpc(result.status());
  if (result->rfind("rejected:", 0) == 0) {
    resp->set_state(v1::INTERACTION_STATE_REJECTED);
    resp->set_end_reason(result->substr(9));
  } else {
    resp->set_state(v1::INTERACTION_STATE_QUEUED);
  }
  log::Info("transferred", {{"interaction_id", req.interaction_id()}, {"agent", req.agent_id()}});
  return grpc::Status::OK;
}

grpc::Status RoutingService::DoEscalateInteraction(const Ctx& ctx,
                                                   const v1::EscalateInteractionRequest& req,
                                                   v1::EscalateInteractionResponse* resp) {
  // A bot (role agent) escalates what it holds; the integrator's platform may escalate work
  // still waiting in the self-service queue (no agent_id).
  auto principal = auth_->Authorize(ctx, req.tenant_id(), req.agent_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (!req.agent_id().empty()) {
    if (auto st = ValidateExternalId("agent_id", req.agent_id()); !st.ok()) return ToGrpc(st);
  }
  if (auto st = ValidateInteractionId("interaction_id", req.interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (auto st = ValidateText("reason", req.reason(), 256); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateAttributes(req.context(), "context"); !st.ok()) return ToGrpc(st);
  std::map<std::string, std::string> context(req.context().begin(), req.context().end());
  auto result = engine_->Escalate(principal->tenant, req.agent_id(), req.interaction_id(),
                                  req.reason(), context);
  if (!result.ok()) return ToGrpc(result.status());
  resp->set_queue(result->queue);
  if (result->outcome.rfind("rejected:", 0) == 0) {
    resp->set_state(v1::INTERACTION_STATE_REJECTED);
    resp->set_end_reason(result->outcome.substr(9));
  } else {
    resp->set_state(v1::INTERACTION_STATE_QUEUED);
  }
  metrics_->SelfService(principal->tenant, "escalated");
  log::Info("escalated", {{"interaction_id", req.interaction_id()},
                          {"agent", req.agent_id()},
                          {"queue", result->queue}});
  return grpc::Status::OK;
}

grpc::Status RoutingService::DoSetPriority(const Ctx& ctx, const v1::SetPriorityRequest& req,
                                           v1::SetPriorityResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateInteractionId("interaction_id", req.interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (req.priority() < v1::PRIORITY_P1 || req.priority() > v1::PRIORITY_P4) {
    return ToGrpc(absl::InvalidArgumentError("priority: must be PRIORITY_P1..PRIORITY_P4"));
  }
  auto previous = engine_->SetPriority(principal->tenant, req.interaction_id(), req.priority());
  if (!previous.ok()) return ToGrpc(previous.status());
  resp->set_previous(static_cast<v1::Priority>(*previous));
  log::Info("reprioritized", {{"interaction_id", req.interaction_id()},
                              {"priority", std::to_string(req.priority())}});
  return grpc::Status::OK;
}

grpc::Status RoutingService::DoGetQueueStats(const Ctx& ctx, const v1::GetQueueStatsRequest& req,
                                             v1::GetQueueStatsResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateName("queue", req.queue()); !st.ok()) return ToGrpc(st);
  auto stats = engine_->QueueStats(principal->tenant, req.queue());
  if (!stats.ok()) {
    return ToGrpc(
        stats.status().code() == absl::StatusCode::kNotFound
            ? absl::NotFoundError(absl::StrCat("queue: no queue named '", req.queue(), "'"))
            : stats.status());
  }
  *resp = std::move(*stats);
  return grpc::Status::OK;
}

grpc::Status RoutingService::DoExplainRouting(const Ctx& ctx, const v1::ExplainRoutingRequest& req,
                                              v1::ExplainRoutingResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateInteractionId("interaction_id", req.interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  auto out = engine_->Explain(principal->tenant, req.interaction_id());
  if (!out.ok()) return ToGrpc(out.status());
  *resp = std::move(*out);
  return grpc::Status::OK;
}

}  // namespace omniroute::routing
