#pragma once

#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "services/common/http/grpc_bridge.h"
#include "services/common/http/http_types.h"

struct mg_context;
struct mg_connection;

namespace omniroute::http {

struct FrontOptions {
  int port = -1;     // -1: no HTTP front; 0: any free port
  int threads = 64;  // civetweb workers: each request, and each open event stream, holds one
  // Event streams take at most threads - reserved_threads workers (more get 503), so requests
  // are always served.
  int reserved_threads = 8;
  // Browser origins that may call the API (CORS), e.g. "https://desk.example.com"; "*" = any.
  std::vector<std::string> cors_origins;
  size_t max_body_bytes = 8 * 1024 * 1024;  // the gRPC port's limit too
  // The front speaks plain HTTP. With TLS on the gRPC port it stays off unless allowed (TLS
  // terminated in front of it); true = it was asked for and left off for that reason.
  bool off_for_tls = false;
};

// The HTTP/1.1 front of a service (civetweb): its gRPC services as JSON (GrpcBridge), event
// streams as Server-Sent Events, and extra routes (provider webhooks, the OpenAPI document).
class Front {
 public:
  // `registry` (may be null) gets omniroute_http_requests_total{route, code} and
  // omniroute_http_event_streams.
  Front(FrontOptions options, std::string bind, prometheus::Registry* registry = nullptr);
  ~Front();

  // Routes whose path starts with `prefix` go to `handler` (before the gRPC methods).
  void AddRoute(std::string prefix, Handler handler);
  // Starts serving; `bridge` answers the gRPC paths. Fills *port with the port bound.
  absl::Status Start(std::unique_ptr<GrpcBridge> bridge, int* port);
  // Stops accepting, ends event streams (the bridge's `stopping` flag must be set first) and
  // waits for the requests in flight.
  void Stop();

  int HandleForTest(mg_connection* conn) { return Handle(conn); }

 private:
  static int OnRequest(mg_connection* conn, void* self);
  int Handle(mg_connection* conn);
  int Serve(mg_connection* conn, std::string* route);
  // Counts a request: `route` is the RPC path, a route prefix, or "unknown".
  void Count(const std::string& route, int status);

  FrontOptions options_;
  std::string bind_;
  std::vector<std::pair<std::string, Handler>> routes_;
  std::unique_ptr<GrpcBridge> bridge_;
  mg_context* ctx_ = nullptr;
  std::atomic<int> streams_{0};
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  prometheus::Gauge* open_streams_ = nullptr;
};

}  // namespace omniroute::http
