#include "services/common/grpc/process_metrics.h"

#include <google/protobuf/descriptor.h>

#include <chrono>

namespace omniroute {
namespace {

// Seconds buckets for RPC latency: sub-millisecond to seconds.
const prometheus::Histogram::BucketBoundaries& RpcBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  return b;
}

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics* metrics, grpc::experimental::ServerRpcInfo* info)
      : metrics_(metrics),
        method_(MethodLabel(info->method())),
        unary_(info->type() == grpc::experimental::ServerRpcInfo::Type::UNARY),
        started_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      double seconds =
          unary_
              ? std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()
              : -1;
      metrics_->Finished(method_, methods->GetSendStatus().error_code(), seconds);
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* metrics_;
  std::string method_;
  bool unary_;
  std::chrono::steady_clock::time_point started_;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(RpcMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info);
  }

 private:
  RpcMetrics* metrics_;
};

}  // namespace

const char* GrpcCodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "UNKNOWN";
}

std::string MethodLabel(const char* method) {
  if (method == nullptr) return "other";
  std::string m(method);
  if (m == "/grpc.health.v1.Health/Check" || m == "/grpc.health.v1.Health/Watch") return m;
  // "/pkg.Service/Method" -> "pkg.Service.Method", a method the generated descriptors know.
  if (m.size() < 4 || m.size() > 200 || m[0] != '/') return "other";
  std::string full = m.substr(1);
  auto slash = full.find('/');
  if (slash == std::string::npos) return "other";
  full[slash] = '.';
  if (full.rfind("omniroute.", 0) != 0 && full.rfind("grpc.reflection.", 0) != 0) return "other";
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full) != nullptr
             ? m
             : "other";
}

RpcMetrics::RpcMetrics(prometheus::Registry& registry, const std::string& service)
    : service_(service),
      requests_(prometheus::BuildCounter()
                    .Name("omniroute_grpc_requests_total")
                    .Help("Finished gRPC calls by service, method and status code.")
                    .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("omniroute_grpc_request_duration_seconds")
                    .Help("Latency of unary gRPC calls by service and method, from the call's "
                          "arrival to its status.")
                    .Register(registry)) {}

RpcMetrics::PerMethod& RpcMetrics::For(const std::string& method) {
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = methods_.find(method);
    if (it != methods_.end()) return it->second;  // map nodes never move or go away
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto [it, inserted] = methods_.try_emplace(method);
  if (inserted) {
    it->second.duration = &duration_.Add({{"service", service_}, {"method", method}}, RpcBuckets());
  }
  return it->second;
}

prometheus::Counter& RpcMetrics::CounterFor(PerMethod& m, const std::string& method, int code) {
  prometheus::Counter* c = m.by_code[code].load(std::memory_order_acquire);
  if (c == nullptr) {
    // Family::Add returns the existing child for the same labels, so a race creates one series.
    c = &requests_.Add({{"service", service_},
                        {"method", method},
                        {"code", GrpcCodeName(static_cast<grpc::StatusCode>(code))}});
    m.by_code[code].store(c, std::memory_order_release);
  }
  return *c;
}

void RpcMetrics::Finished(const std::string& method, grpc::StatusCode code, double seconds) {
  int i = static_cast<int>(code);
  if (i < 0 || i >= 17) i = static_cast<int>(grpc::StatusCode::UNKNOWN);
  PerMethod& m = For(method);
  CounterFor(m, method, i).Increment();
  if (seconds >= 0) m.duration->Observe(seconds);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcMetrics::CreateInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(this);
}

RedisMetrics::RedisMetrics(prometheus::Registry& registry, const std::string& service)
    : errors_(prometheus::BuildCounter()
                  .Name("omniroute_redis_errors_total")
                  .Help("Redis connects and round trips of this process that failed (the "
                        "connection is dropped and reopened).")
                  .Register(registry)
                  .Add({{"service", service}})),
      roundtrip_(prometheus::BuildHistogram()
                     .Name("omniroute_redis_roundtrip_seconds")
                     .Help("Latency of one Redis command or pipeline round trip (blocking "
                           "stream reads excluded).")
                     .Register(registry)
                     .Add({{"service", service}},
                          prometheus::Histogram::BucketBoundaries{0.00005, 0.0001, 0.00025, 0.0005,
                                                                  0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                  0.05, 0.1, 0.5})) {}

}  // namespace omniroute
