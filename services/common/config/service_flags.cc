#include "services/common/config/service_flags.h"

#include <cstdio>

namespace omniroute::config {

void ServiceFlags::AddTo(Flags& flags) {
  flags.Add("redis-url", &redis_url,
            "Redis address, redis://[[user]:password@]host:port[/db] or unix:///path");
  flags.Add("bind", &bind, "address to listen on");
  flags.Add("grpc-port", &grpc_port, "gRPC port (0 = any free port)");
  flags.Add("metrics-port", &metrics_port, "Prometheus /metrics port (0 = any free port)");
  flags.Add("redis-pool-size", &redis_pool_size, "Redis connections shared by request threads");
  flags.Add("rpc-workers", &rpc_workers,
            "threads running the Redis work of gRPC calls (0 = --redis-pool-size)");
  flags.Add("rpc-queue", &rpc_queue,
            "calls that may wait for an rpc worker; beyond that calls get UNAVAILABLE");
  tls::AddServerFlags(flags, &tls);
}

std::optional<int> ParseOrExitCode(Flags& flags, ServiceFlags& common, int argc, char** argv,
                                   const std::string& program) {
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  auto endpoint = redis::ParseUrl(common.redis_url);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "%s: --redis-url: %s\n", program.c_str(),
                 std::string(endpoint.status().message()).c_str());
    return 2;
  }
  if (common.redis_pool_size < 1) {
    std::fprintf(stderr, "%s: --redis-pool-size must be >= 1\n", program.c_str());
    return 2;
  }
  if (common.rpc_workers < 0 || common.rpc_queue < 1) {
    std::fprintf(stderr, "%s: --rpc-workers must be >= 0 and --rpc-queue >= 1\n", program.c_str());
    return 2;
  }
  if (auto st = tls::Validate(common.tls); !st.ok()) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), std::string(st.message()).c_str());
    return 2;
  }
  common.endpoint = *endpoint;
  return std::nullopt;
}

}  // namespace omniroute::config
