#pragma once

#include <grpcpp/grpcpp.h>

#include "omniroute/v1/routing.grpc.pb.h"
#include "services/common/bounded_executor.h"
#include "services/common/grpc/auth.h"
#include "services/routing/routing_engine.h"
#include "services/routing/routing_metrics.h"
#include "services/routing/watch_streams.h"

namespace omniroute::routing {

// gRPC edge of routing: agents, offers, stats and the event feed. A callback service: each
// unary call's work (auth, validation, the engine's Redis round trips) runs on the bounded
// executor; WatchOffers and WatchEvents are WatchStreams fed by the replica's StreamHub. So the
// process holds a fixed set of threads whatever the number of calls and open streams.
class RoutingService final : public v1::Routing::CallbackService {
 public:
  RoutingService(Authenticator* auth, RoutingEngine* engine, RoutingMetrics* metrics,
                 BoundedExecutor* executor, WatchStreams* streams)
      : auth_(auth), engine_(engine), metrics_(metrics), executor_(executor), streams_(streams) {}

  grpc::ServerUnaryReactor* SetAgentState(grpc::CallbackServerContext* ctx,
                                          const v1::SetAgentStateRequest* req,
                                          v1::SetAgentStateResponse* resp) override;
  grpc::ServerWriteReactor<v1::Offer>* WatchOffers(grpc::CallbackServerContext* ctx,
                                                   const v1::WatchOffersRequest* req) override {
    return streams_->WatchOffers(ctx, req);
  }
  grpc::ServerUnaryReactor* AcceptOffer(grpc::CallbackServerContext* ctx,
                                        const v1::AcceptOfferRequest* req,
                                        v1::AcceptOfferResponse* resp) override;
  grpc::ServerUnaryReactor* RejectOffer(grpc::CallbackServerContext* ctx,
                                        const v1::RejectOfferRequest* req,
                                        v1::RejectOfferResponse* resp) override;
  grpc::ServerUnaryReactor* TransferInteraction(grpc::CallbackServerContext* ctx,
                                                const v1::TransferInteractionRequest* req,
                                                v1::TransferInteractionResponse* resp) override;
  grpc::ServerUnaryReactor* EscalateInteraction(grpc::CallbackServerContext* ctx,
                                                const v1::EscalateInteractionRequest* req,
                                                v1::EscalateInteractionResponse* resp) override;
  grpc::ServerUnaryReactor* CompleteInteraction(grpc::CallbackServerContext* ctx,
                                                const v1::CompleteInteractionRequest* req,
                                                v1::CompleteInteractionResponse* resp) override;
  grpc::ServerUnaryReactor* SetPriority(grpc::CallbackServerContext* ctx,
                                        const v1::SetPriorityRequest* req,
                                        v1::SetPriorityResponse* resp) override;
  grpc::ServerUnaryReactor* GetQueueStats(grpc::CallbackServerContext* ctx,
                                          const v1::GetQueueStatsRequest* req,
                                          v1::GetQueueStatsResponse* resp) override;
  grpc::ServerUnaryReactor* ExplainRouting(grpc::CallbackServerContext* ctx,
                                           const v1::ExplainRoutingRequest* req,
                                           v1::ExplainRoutingResponse* resp) override;
  grpc::ServerWriteReactor<v1::Event>* WatchEvents(grpc::CallbackServerContext* ctx,
                                                   const v1::WatchEventsRequest* req) override {
    return streams_->WatchEvents(ctx, req);
  }
  // The supervisor views (supervisor_views.cc).
  grpc::ServerUnaryReactor* GetAgent(grpc::CallbackServerContext* ctx,
                                     const v1::GetAgentRequest* req, v1::AgentView* resp) override;
  grpc::ServerUnaryReactor* ListAgents(grpc::CallbackServerContext* ctx,
                                       const v1::ListAgentsRequest* req,
                                       v1::ListAgentsResponse* resp) override;
  grpc::ServerUnaryReactor* ListWaiting(grpc::CallbackServerContext* ctx,
                                        const v1::ListWaitingRequest* req,
                                        v1::ListWaitingResponse* resp) override;

 private:
  // The blocking bodies of the unary calls; they run on the executor.
  using Ctx = grpc::CallbackServerContext;
  grpc::Status DoSetAgentState(const Ctx& ctx, const v1::SetAgentStateRequest& req,
                               v1::SetAgentStateResponse* resp);
  grpc::Status DoTransferInteraction(const Ctx& ctx, const v1::TransferInteractionRequest& req,
                                     v1::TransferInteractionResponse* resp);
  grpc::Status DoEscalateInteraction(const Ctx& ctx, const v1::EscalateInteractionRequest& req,
                                     v1::EscalateInteractionResponse* resp);
  grpc::Status DoSetPriority(const Ctx& ctx, const v1::SetPriorityRequest& req,
                             v1::SetPriorityResponse* resp);
  grpc::Status DoGetQueueStats(const Ctx& ctx, const v1::GetQueueStatsRequest& req,
                               v1::GetQueueStatsResponse* resp);
  grpc::Status DoExplainRouting(const Ctx& ctx, const v1::ExplainRoutingRequest& req,
                                v1::ExplainRoutingResponse* resp);
  grpc::Status DoGetAgent(const Ctx& ctx, const v1::GetAgentRequest& req, v1::AgentView* resp);
  grpc::Status DoListAgents(const Ctx& ctx, const v1::ListAgentsRequest& req,
                            v1::ListAgentsResponse* resp);
  grpc::Status DoListWaiting(const Ctx& ctx, const v1::ListWaitingRequest& req,
                             v1::ListWaitingResponse* resp);

  // AcceptOffer, RejectOffer and CompleteInteraction (routing_service_offers.cc), the calls an
  // agent makes for every interaction: with the caller's key in the cache they run without
  // blocking any thread, through the engine's pipeliner; `finish` ends the call from there.
  // Otherwise (the key must be looked up) they run like the others, on the executor.
  grpc::Status CheckAccept(const v1::AcceptOfferRequest& req);
  grpc::Status CheckReject(const v1::RejectOfferRequest& req);
  grpc::Status CheckComplete(const v1::CompleteInteractionRequest& req);
  using Finish = std::function<void(grpc::Status)>;
  void RunAccept(const std::string& tenant, const v1::AcceptOfferRequest& req,
                 v1::AcceptOfferResponse* resp, RoutingEngine::Deadline deadline, Finish finish);
  void RunReject(const std::string& tenant, const v1::RejectOfferRequest& req,
                 RoutingEngine::Deadline deadline, Finish finish);
  void RunComplete(const std::string& tenant, const v1::CompleteInteractionRequest& req,
                   RoutingEngine::Deadline deadline, Finish finish);

  Authenticator* auth_;
  RoutingEngine* engine_;
  RoutingMetrics* metrics_;
  BoundedExecutor* executor_;
  WatchStreams* streams_;
};

}  // namespace omniroute::routing
