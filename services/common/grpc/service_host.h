#pragma once

#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "services/common/grpc/process_metrics.h"
#include "services/common/grpc/reflection.h"
#include "services/common/grpc/tls.h"
#include "services/common/http/http_front.h"
#include "services/common/redis/redis_client.h"

namespace omniroute {

struct HostOptions {
  std::string service;  // "intake", "classification", "routing"
  std::string bind = "0.0.0.0";
  int grpc_port = 0;     // 0 = pick a free port (printed in the "listening" log line)
  int metrics_port = 0;  // 0 = pick a free port
  std::vector<std::string> health_names;  // grpc.health.v1 service names to report
  tls::ServerFiles tls;                   // TLS (and mTLS) of the gRPC port; none = plaintext
  http::FrontOptions http;                // the HTTP/JSON front; port -1 = none
  int drain_seconds = 10;
  // Readiness (grpc.health.v1) turns NOT_SERVING when a PING to Redis is not answered within
  // this; it is checked every second.
  std::chrono::milliseconds readiness_timeout{1000};
  // The sync server's threads: polling threads kept warm and the upper bound on all of them
  // (each sync call in flight holds one). Every omniroute service is a callback service; only
  // gRPC's own health service runs on the sync server, so these stay low.
  int sync_min_pollers = 1;
  int sync_max_pollers = 2;
  int max_threads = 4;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread started after it, so that
// ServiceHost::Run can wait for them. Call first thing in main.
void BlockTerminationSignals();

// Runs one service process: the gRPC server (with grpc.health.v1 and reflection), the
// Prometheus /metrics endpoint, background loops, readiness that follows Redis, and a drain on
// SIGTERM (health NOT_SERVING, loops stop, in-flight calls finish, exit 0).
class ServiceHost {
 public:
  ServiceHost(HostOptions options, redis::Pool* pool);

  prometheus::Registry& registry() { return *registry_; }
  // Sees the round trips of this service's Redis connections (for connections outside the pool).
  redis::Observer* redis_observer() { return redis_metrics_.get(); }
  // True once a drain began; long-running streams end when they see it.
  const std::atomic<bool>& draining() const { return draining_; }

  void AddService(grpc::Service* service) { services_.push_back(service); }
  // An extra route of the HTTP front (e.g. provider webhooks): requests whose path starts with
  // `prefix`, before the gRPC methods. Only served when the front is on (HostOptions::http).
  void AddHttpRoute(std::string prefix, http::Handler handler) {
    http_routes_.emplace_back(std::move(prefix), std::move(handler));
  }
  // A loop run on its own thread until `stop` becomes true.
  void AddLoop(std::string name, std::function<void(const std::atomic<bool>& stop)> loop);
  // Runs during the drain, once the server has begun to shut down (health NOT_SERVING, no new
  // calls) and while it waits for in-flight calls: e.g. ends the long-running streams so that the
  // server can finish.
  void AddDrainHook(std::function<void()> hook) { drain_hooks_.push_back(std::move(hook)); }

  // Starts everything, blocks until SIGTERM/SIGINT, drains; returns the process exit code.
  int Run();

 private:
  void ReadinessLoop();

  HostOptions options_;
  redis::Pool* pool_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge* redis_up_;
  std::unique_ptr<RpcMetrics> rpc_metrics_;
  std::unique_ptr<RedisMetrics> redis_metrics_;
  std::vector<grpc::Service*> services_;
  std::vector<std::pair<std::string, std::function<void(const std::atomic<bool>&)>>> loops_;
  std::vector<std::function<void()>> drain_hooks_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> stop_{false};
  std::vector<std::pair<std::string, http::Handler>> http_routes_;
  std::unique_ptr<ReflectionService<ReflectionV1>> reflection_v1_;  // both outlive server_
  std::unique_ptr<ReflectionService<ReflectionV1Alpha>> reflection_v1alpha_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace omniroute
