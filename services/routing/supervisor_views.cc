// The supervisor views of the Routing service: GetAgent, ListAgents and ListWaiting (roles
// supervisor and admin). Validation and status mapping here; the reads are RoutingEngine's
// (routing_engine_views.cc).
#include "absl/strings/str_cat.h"
#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/common/validation.h"
#include "services/routing/page_tokens.h"
#include "services/routing/routing_service.h"

namespace omniroute::routing {

grpc::ServerUnaryReactor* RoutingService::GetAgent(grpc::CallbackServerContext* ctx,
                                                   const v1::GetAgentRequest* req,
                                                   v1::AgentView* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoGetAgent(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* RoutingService::ListAgents(grpc::CallbackServerContext* ctx,
                                                     const v1::ListAgentsRequest* req,
                                                     v1::ListAgentsResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoListAgents(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* RoutingService::ListWaiting(grpc::CallbackServerContext* ctx,
                                                      const v1::ListWaitingRequest* req,
                                                      v1::ListWaitingResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoListWaiting(*ctx, *req, resp); });
}

grpc::Status RoutingService::DoGetAgent(const Ctx& ctx, const v1::GetAgentRequest& req,
                                        v1::AgentView* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req.agent_id()); !st.ok()) return ToGrpc(st);
  auto view = engine_->GetAgent(principal->tenant, req.agent_id());
  if (!view.ok()) return ToGrpc(view.status());
  *resp = std::move(*view);
  return grpc::Status::OK;
}

grpc::Status RoutingService::DoListAgents(const Ctx& ctx, const v1::ListAgentsRequest& req,
                                          v1::ListAgentsResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  RoutingEngine::AgentQuery query;
  if (auto st = ReadPaging(req.page_size(), req.page_token(), ParseAgentPageToken, &query.page_size,
                           &query.after);
      !st.ok()) {
    return ToGrpc(st);
  }
  if (!req.queue().empty()) {
    if (auto st = ValidateName("queue", req.queue()); !st.ok()) return ToGrpc(st);
    query.queue = req.queue();
  }
  switch (req.state()) {
    case v1::AGENT_STATE_UNSPECIFIED:
      break;
    case v1::AGENT_STATE_OFFLINE:
      query.state = "offline";
      break;
    case v1::AGENT_STATE_AVAILABLE:
      query.state = "available";
      break;
    case v1::AGENT_STATE_AWAY:
      query.state = "away";
      break;
    default:
      return ToGrpc(absl::InvalidArgumentError(
          absl::StrCat("state: no agent state ", static_cast<int>(req.state()))));
  }
  auto page = engine_->ListAgents(principal->tenant, query);
  if (!page.ok()) return ToGrpc(page.status());
  *resp = std::move(*page);
  return grpc::Status::OK;
}

grpc::Status RoutingService::DoListWaiting(const Ctx& ctx, const v1::ListWaitingRequest& req,
                                           v1::ListWaitingResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  RoutingEngine::WaitingQuery query;
  if (auto st = ValidateName("queue", req.queue()); !st.ok()) return ToGrpc(st);
  query.queue = req.queue();
  if (!v1::Channel_IsValid(req.channel())) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("channel: no channel ", static_cast<int>(req.channel()))));
  }
  query.channel = req.channel();
  if (auto st = ReadPaging(req.page_size(), req.page_token(), ParseWaitingPageToken,
                           &query.page_size, &query.after);
      !st.ok()) {
    return ToGrpc(st);
  }
  auto page = engine_->ListWaiting(principal->tenant, query);
  if (!page.ok()) return ToGrpc(page.status());
  *resp = std::move(*page);
  return grpc::Status::OK;
}

}  // namespace omniroute::routing
