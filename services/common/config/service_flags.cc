#include "services/common/config/service_flags.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

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
  flags.Add("http-port", &http_port,
            "HTTP/JSON port: the gRPC API as JSON, event streams as Server-Sent Events "
            "(-1 = off, 0 = any free port)");
  flags.Add("http-threads", &http_threads,
            "HTTP worker threads; each request and each open event stream holds one");
  flags.Add("http-cors-origins", &http_cors_origins,
            "browser origins allowed to call the HTTP API, comma-separated (* = any)");
  flags.Add("http-allow-plaintext", &http_allow_plaintext,
            "serve the HTTP port (plain HTTP) although the gRPC port uses TLS: only where TLS "
            "ends in front of it (an ingress or sidecar); without it --tls-cert turns HTTP off");
}

http::FrontOptions ServiceFlags::http() const {
  http::FrontOptions o;
  o.port = http_port;
  if (tls.enabled() && !http_allow_plaintext && http_port >= 0) {
    o.port = -1;
    o.off_for_tls = true;
  }
  o.threads = http_threads;
  for (absl::string_view origin : absl::StrSplit(http_cors_origins, ',', absl::SkipWhitespace())) {
    o.cors_origins.emplace_back(absl::StripAsciiWhitespace(origin));
  }
  return o;
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
  if (common.http_port < -1 || common.http_port > 65535 || common.http_threads < 2 ||
      common.http_threads > 4096) {
    std::fprintf(stderr, "%s: --http-port must be -1..65535 and --http-threads 2..4096\n",
                 program.c_str());
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
