#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <utility>

#include "services/common/bounded_executor.h"

namespace omniroute {

// Serves one unary callback RPC: `handler` (which may block on Redis, and returns the call's
// status) runs on `executor`, never on gRPC's callback threads. A call whose caller has gone or
// whose deadline passed while it waited is not run (DESIGN: a request whose caller has gone is
// not run); a full executor answers UNAVAILABLE at once, so clients back off and retry. Returns
// the reactor the RPC method must return.
template <typename Handler>
grpc::ServerUnaryReactor* ServeUnary(BoundedExecutor* executor, grpc::CallbackServerContext* ctx,
                                     Handler handler) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  bool queued = executor->Submit([ctx, reactor, handler = std::move(handler)]() mutable {
    if (ctx->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the caller cancelled the call"));
    } else if (ctx->deadline() < std::chrono::system_clock::now()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "the deadline passed before the call was served"));
    } else {
      reactor->Finish(handler());
    }
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "server overloaded: too many calls waiting; retry with backoff"));
  }
  return reactor;
}

}  // namespace omniroute
