#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <utility>

#include "services/common/bounded_executor.h"
#include "services/common/grpc/status.h"
#include "services/common/redis/redis_client.h"

namespace omniroute {

// Serves one unary callback RPC: `handler` (which may block on Redis, and returns the call's
// status) runs on `executor`, never on gRPC's callback threads. A call whose caller has gone or
// whose deadline passed while it waited is not run (DESIGN: a request whose caller has gone is
// not run); a full executor answers UNAVAILABLE at once, so clients back off and retry. While
// the handler runs, the call's deadline bounds its waits for a Redis connection (CallDeadline),
// and the status it returns has a bounded message (BoundedStatus). Returns the reactor the RPC
// method must return.
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
      redis::CallDeadline deadline(ctx->deadline());
      reactor->Finish(BoundedStatus(handler()));
    }
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "server overloaded: too many calls waiting; retry with backoff"));
  }
  return reactor;
}

// The call's deadline in unix ms, 0 when the caller set none (or one beyond a day): passed to
// scripts that must not run once the caller has given up (e.g. intake/submit.lua).
inline int64_t DeadlineUnixMs(const grpc::ServerContextBase& ctx) {
  auto deadline = ctx.deadline();
  if (deadline > std::chrono::system_clock::now() + std::chrono::hours(24)) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline.time_since_epoch()).count();
}

}  // namespace omniroute
