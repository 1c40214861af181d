#pragma once

#include <grpcpp/grpcpp.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstddef>

#include "absl/status/statusor.h"
#include "omniroute/v1/routing.grpc.pb.h"
#include "services/common/bounded_executor.h"
#include "services/common/event_record.h"
#include "services/common/grpc/auth.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/stream_hub.h"
#include "services/routing/watch_reactor.h"

namespace omniroute::routing {

// The streaming half of the Routing API: WatchOffers and WatchEvents as WatchReactors fed by
// the replica's StreamHub. The start of each stream (auth, validation, WatchOffers' replay of
// the still-open offers) runs on the executor.
class WatchStreams {
 public:
  // `buffer` caps the records each stream holds for a client that reads slower than they come.
  WatchStreams(Authenticator* auth, redis::Pool* pool, BoundedExecutor* executor,
               redis::StreamHub* hub, size_t buffer, prometheus::Registry& registry);

  grpc::ServerWriteReactor<v1::Offer>* WatchOffers(grpc::CallbackServerContext* ctx,
                                                   const v1::WatchOffersRequest* req);
  grpc::ServerWriteReactor<v1::Event>* WatchEvents(grpc::CallbackServerContext* ctx,
                                                   const v1::WatchEventsRequest* req);

 private:
  WatchStreams(Authenticator* auth, redis::Pool* pool, BoundedExecutor* executor,
               redis::StreamHub* hub, size_t buffer, prometheus::Family<prometheus::Gauge>& open);
  absl::StatusOr<WatchStart<v1::Offer>> StartOffers(const grpc::CallbackServerContext& ctx,
                                                    const v1::WatchOffersRequest& req);
  absl::StatusOr<WatchStart<v1::Event>> StartEvents(const grpc::CallbackServerContext& ctx,
                                                    const v1::WatchEventsRequest& req);

  Authenticator* auth_;
  redis::Pool* pool_;
  BoundedExecutor* executor_;
  redis::StreamHub* hub_;
  size_t buffer_;
  prometheus::Gauge& open_offers_;
  prometheus::Gauge& open_events_;
};

// An offer-stream entry as the Offer message ("kind" offer|rescind, "ix", "queue", ...).
v1::Offer OfferFromRecord(const redis::StreamRecord& record, const std::string& agent);

// Stream ids as Redis prints them: "<ms>-<seq>".
bool IsStreamId(const std::string& s);

}  // namespace omniroute::routing
