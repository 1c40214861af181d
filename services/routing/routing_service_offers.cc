// RoutingService: the calls every interaction brings (AcceptOffer, RejectOffer,
// CompleteInteraction), served without blocking a thread when the caller's key is cached.
#include <chrono>
#include <functional>
#include <future>

#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/common/interaction_codec.h"
#include "services/common/validation.h"
#include "services/routing/routing_service.h"

namespace omniroute::routing {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The call's deadline on the steady clock the pipeliner uses.
RoutingEngine::Deadline DeadlineOf(const grpc::CallbackServerContext& ctx) {
  auto left = ctx.deadline() - std::chrono::system_clock::now();
  if (left > std::chrono::hours(24)) return RoutingEngine::Deadline::max();
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
}

// Serves a call whose work may finish on another thread: `run(tenant, finish)` once the caller
// is authorized to act as the request's agent and `check` passed. With the key cached nothing
// blocks; otherwise the whole call runs on the executor, waiting for `finish` there.
template <typename Req, typename Run>
grpc::ServerUnaryReactor* ServeAgentCall(Authenticator* auth, BoundedExecutor* executor,
                                         grpc::CallbackServerContext* ctx, const Req& req,
                                         grpc::Status check, Run run) {
  auto cached = auth->AuthorizeCached(*ctx, req.tenant_id(), req.agent_id());
  if (!cached.has_value()) {
    return ServeUnary(executor, ctx, [auth, ctx, &req, check, run] {
      auto principal = auth->Authorize(*ctx, req.tenant_id(), req.agent_id());
      if (!principal.ok()) return ToGrpc(principal.status());
      if (!check.ok()) return check;
      std::promise<grpc::Status> done;
      run(principal->tenant, [&done](grpc::Status st) { done.set_value(std::move(st)); });
      return done.get_future().get();
    });
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!cached->ok()) {
    reactor->Finish(ToGrpc(cached->status()));
  } else if (!check.ok()) {
    reactor->Finish(check);
  } else if (ctx->IsCancelled()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the caller cancelled the call"));
  } else {
    run((*cached)->tenant, [reactor](grpc::Status st) { reactor->Finish(std::move(st)); });
  }
  return reactor;
}

}  // namespace

grpc::Status RoutingService::CheckAccept(const v1::AcceptOfferRequest& req) {
  if (auto st = ValidateExternalId("agent_id", req.agent_id()); !st.ok()) return ToGrpc(st);
  return ToGrpc(ValidateInteractionId("interaction_id", req.interaction_id()));
}

grpc::Status RoutingService::CheckReject(const v1::RejectOfferRequest& req) {
  if (auto st = ValidateExternalId("agent_id", req.agent_id()); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateInteractionId("interaction_id", req.interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  return ToGrpc(ValidateText("reason", req.reason(), 256));
}

grpc::Status RoutingService::CheckComplete(const v1::CompleteInteractionRequest& req) {
  if (auto st = ValidateExternalId("agent_id", req.agent_id()); !st.ok()) return ToGrpc(st);
  return ToGrpc(ValidateInteractionId("interaction_id", req.interaction_id()));
}

grpc::ServerUnaryReactor* RoutingService::AcceptOffer(grpc::CallbackServerContext* ctx,
                                                      const v1::AcceptOfferRequest* req,
                                                      v1::AcceptOfferResponse* resp) {
  return ServeAgentCall(auth_, executor_, ctx, *req, CheckAccept(*req),
                        [this, ctx, req, resp](const std::string& tenant, Finish finish) {
                          RunAccept(tenant, *req, resp, DeadlineOf(*ctx), std::move(finish));
                        });
}

grpc::ServerUnaryReactor* RoutingService::RejectOffer(grpc::CallbackServerContext* ctx,
                                                      const v1::RejectOfferRequest* req,
                                                      v1::RejectOfferResponse* resp) {
  return ServeAgentCall(auth_, executor_, ctx, *req, CheckReject(*req),
                        [this, ctx, req](const std::string& tenant, Finish finish) {
                          RunReject(tenant, *req, DeadlineOf(*ctx), std::move(finish));
                        });
}

grpc::ServerUnaryReactor* RoutingService::CompleteInteraction(
    grpc::CallbackServerContext* ctx, const v1::CompleteInteractionRequest* req,
    v1::CompleteInteractionResponse* resp) {
  return ServeAgentCall(auth_, executor_, ctx, *req, CheckComplete(*req),
                        [this, ctx, req](const std::string& tenant, Finish finish) {
                          RunComplete(tenant, *req, DeadlineOf(*ctx), std::move(finish));
                        });
}

void RoutingService::RunAccept(const std::string& tenant, const v1::AcceptOfferRequest& req,
                               v1::AcceptOfferResponse* resp, RoutingEngine::Deadline deadline,
                               Finish finish) {
  auto started = std::chrono::steady_clock::now();
  engine_->AcceptAsync(
      tenant, req.agent_id(), req.interaction_id(), deadline,
      [this, tenant, resp, started, finish = std::move(finish)](absl::StatusOr<AcceptResult> r) {
        metrics_->ObserveDecision("accept", SecondsSince(started));
        if (!r.ok()) return finish(ToGrpc(r.status()));
        metrics_->Accepted(tenant, r->queue, r->wait_ms, r->sla_threshold_ms);
        *resp->mutable_interaction() = InteractionFromHash(tenant, r->interaction_fields);
        finish(grpc::Status::OK);
      });
}

void RoutingService::RunReject(const std::string& tenant, const v1::RejectOfferRequest& req,
                               RoutingEngine::Deadline deadline, Finish finish) {
  auto started = std::chrono::steady_clock::now();
  engine_->RejectAsync(tenant, req.agent_id(), req.interaction_id(),
                       req.reason().empty() ? "declined" : req.reason(), deadline,
                       [this, tenant, started, finish = std::move(finish)](absl::Status st) {
                         metrics_->ObserveDecision("reject", SecondsSince(started));
                         if (st.ok()) metrics_->Offer(tenant, "rejected");
                         finish(ToGrpc(st));
                       });
}

void RoutingService::RunComplete(const std::string& tenant,
                                 const v1::CompleteInteractionRequest& req,
                                 RoutingEngine::Deadline deadline, Finish finish) {
  auto started = std::chrono::steady_clock::now();
  engine_->CompleteAsync(
      tenant, req.agent_id(), req.interaction_id(), deadline,
      [this, tenant, started, finish = std::move(finish)](absl::StatusOr<CompleteResult> done) {
        metrics_->ObserveDecision("complete", SecondsSince(started));
        if (!done.ok()) return finish(ToGrpc(done.status()));
        metrics_->Completed(tenant, done->queue, done->handle_ms, done->wrap_up_ms);
        if (done->deflected) metrics_->SelfService(tenant, "deflected");
        finish(grpc::Status::OK);
      });
}

}  // namespace omniroute::routing
