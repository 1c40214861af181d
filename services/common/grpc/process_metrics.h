#pragma once

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "services/common/redis/redis_client.h"

namespace omniroute {

// The name of a gRPC status code as the metrics label it ("OK", "INVALID_ARGUMENT", ...).
const char* GrpcCodeName(grpc::StatusCode code);

// The method label of an RPC: the full method name when it is a method a client can call on
// this server (an omniroute, health or reflection method), else "other", so that a client
// calling made-up methods cannot grow the label set.
std::string MethodLabel(const char* method);

// gRPC server metrics of one process: requests by method and status code, and the latency of
// unary calls. Fed by the interceptor that CreateInterceptorFactory returns.
class RpcMetrics {
 public:
  RpcMetrics(prometheus::Registry& registry, const std::string& service);

  // One finished RPC (duration < 0: a streaming call, whose length says nothing).
  void Finished(const std::string& method, grpc::StatusCode code, double seconds);
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> CreateInterceptorFactory();

 private:
  struct PerMethod {
    std::array<std::atomic<prometheus::Counter*>, 17> by_code{};  // created on first use
    prometheus::Histogram* duration = nullptr;
  };
  // The method's series; created under the exclusive lock the first time a method is seen.
  PerMethod& For(const std::string& method);
  prometheus::Counter& CounterFor(PerMethod& m, const std::string& method, int code);

  const std::string service_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  // Every RPC reads the map (shared lock); only a method's first call writes it.
  std::shared_mutex mu_;
  std::map<std::string, PerMethod> methods_ ABSL_GUARDED_BY(mu_);
};

// Redis client metrics of one process: failed connects and round trips, and round-trip latency.
class RedisMetrics : public redis::Observer {
 public:
  RedisMetrics(prometheus::Registry& registry, const std::string& service);
  void RoundTrip(double seconds) override { roundtrip_.Observe(seconds); }
  void Failed() override { errors_.Increment(); }

 private:
  prometheus::Counter& errors_;
  prometheus::Histogram& roundtrip_;
};

}  // namespace omniroute
