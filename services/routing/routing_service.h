#pragma once

#include <atomic>

#include "omniroute/v1/routing.grpc.pb.h"
#include "services/common/grpc/auth.h"
#include "services/common/redis/redis_client.h"
#include "services/routing/routing_engine.h"
#include "services/routing/routing_metrics.h"

namespace omniroute::routing {

// gRPC edge of routing: agents, offers, stats and the event feed.
class RoutingService final : public v1::Routing::Service {
 public:
  RoutingService(Authenticator* auth, RoutingEngine* engine, redis::Pool* pool,
                 RoutingMetrics* metrics, const std::atomic<bool>* draining)
      : auth_(auth), engine_(engine), pool_(pool), metrics_(metrics), draining_(draining) {}

  grpc::Status SetAgentState(grpc::ServerContext* ctx, const v1::SetAgentStateRequest* req,
                             v1::SetAgentStateResponse* resp) override;
  grpc::Status WatchOffers(grpc::ServerContext* ctx, const v1::WatchOffersRequest* req,
                           grpc::ServerWriter<v1::Offer>* writer) override;
  grpc::Status AcceptOffer(grpc::ServerContext* ctx, const v1::AcceptOfferRequest* req,
                           v1::AcceptOfferResponse* resp) override;
  grpc::Status RejectOffer(grpc::ServerContext* ctx, const v1::RejectOfferRequest* req,
                           v1::RejectOfferResponse* resp) override;
  grpc::Status TransferInteraction(grpc::ServerContext* ctx,
                                   const v1::TransferInteractionRequest* req,
                                   v1::TransferInteractionResponse* resp) override;
  grpc::Status EscalateInteraction(grpc::ServerContext* ctx,
                                   const v1::EscalateInteractionRequest* req,
                                   v1::EscalateInteractionResponse* resp) override;
  grpc::Status CompleteInteraction(grpc::ServerContext* ctx,
                                   const v1::CompleteInteractionRequest* req,
                                   v1::CompleteInteractionResponse* resp) override;
  grpc::Status SetPriority(grpc::ServerContext* ctx, const v1::SetPriorityRequest* req,
                           v1::SetPriorityResponse* resp) override;
  grpc::Status GetQueueStats(grpc::ServerContext* ctx, const v1::GetQueueStatsRequest* req,
                             v1::GetQueueStatsResponse* resp) override;
  grpc::Status ExplainRouting(grpc::ServerContext* ctx, const v1::ExplainRoutingRequest* req,
                              v1::ExplainRoutingResponse* resp) override;
  grpc::Status WatchEvents(grpc::ServerContext* ctx, const v1::WatchEventsRequest* req,
                           grpc::ServerWriter<v1::Event>* writer) override;

 private:
  Authenticator* auth_;
  RoutingEngine* engine_;
  redis::Pool* pool_;
  RoutingMetrics* metrics_;
  const std::atomic<bool>* draining_;
};

// Stream ids as Redis prints them: "<ms>-<seq>".
bool IsStreamId(const std::string& s);

}  // namespace omniroute::routing
