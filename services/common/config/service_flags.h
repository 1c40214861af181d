#pragma once

#include <optional>
#include <string>

#include "services/common/config/flags.h"
#include "services/common/grpc/tls.h"
#include "services/common/http/http_front.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::config {

// The flags every service executable shares: where Redis is, where to listen, and the TLS
// files of the gRPC port.
struct ServiceFlags {
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string bind = "0.0.0.0";
  int grpc_port = 0;
  int metrics_port = 0;
  int redis_pool_size = 16;
  // gRPC calls' Redis work runs on a fixed pool of workers (0 = redis_pool_size threads); at
  // most rpc_queue calls wait for one, beyond that calls get UNAVAILABLE at once.
  int rpc_workers = 0;
  int rpc_queue = 10000;
  tls::ServerFiles tls;  // the gRPC port's TLS files (none = plaintext)
  // The HTTP/JSON front (services/common/http): -1 = off, 0 = any free port.
  int http_port = -1;
  int http_threads = 16;              // routing, which serves the event streams, starts with 64
  std::string http_cors_origins;      // comma-separated; "*" = any
  bool http_allow_plaintext = false;  // serve plain HTTP although the gRPC port uses TLS
  redis::Endpoint endpoint;           // parsed from redis_url by ParseOrExitCode

  void AddTo(Flags& flags);
  int workers() const { return rpc_workers > 0 ? rpc_workers : redis_pool_size; }
  http::FrontOptions http() const;
};

// Parses argv into the flags (service and common ones) and checks the common ones. Returns
// std::nullopt to go on, or the exit code to stop with (0 after --help, 2 on a bad flag) once
// the reason is printed on stderr.
std::optional<int> ParseOrExitCode(Flags& flags, ServiceFlags& common, int argc, char** argv,
                                   const std::string& program);

}  // namespace omniroute::config
