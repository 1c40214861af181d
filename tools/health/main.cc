// omniroute-health: asks a server's grpc.health.v1.Health/Check, for a container HEALTHCHECK.
//   omniroute-health --addr 127.0.0.1:7103 [--service omniroute.v1.Routing] [--timeout-ms 2000]
//                    [--tls-ca ca.pem [--tls-cert c.pem --tls-key k.pem] --tls-server-name N]
// Exit 0 when the answer is SERVING; 1 when it is anything else, the service name is unknown or
// the server cannot be reached in time (with a one-line reason on stderr); 2 on bad flags.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/config/flags.h"
#include "services/common/grpc/tls.h"

namespace {

using grpc::health::v1::HealthCheckResponse;

const char* StatusName(HealthCheckResponse::ServingStatus s) {
  switch (s) {
    case HealthCheckResponse::SERVING:
      return "SERVING";
    case HealthCheckResponse::NOT_SERVING:
      return "NOT_SERVING";
    case HealthCheckResponse::SERVICE_UNKNOWN:
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:7101";
  std::string service;
  int timeout_ms = 2000;
  omniroute::config::Flags flags("omniroute-health");
  flags.Add("addr", &addr, "host:port of the gRPC server");
  flags.Add("service", &service,
            "health service name, e.g. omniroute.v1.Routing (empty = the whole server)");
  flags.Add("timeout-ms", &timeout_ms, "deadline of the check");
  omniroute::tls::ClientFiles tls;
  omniroute::tls::AddClientFlags(flags, &tls);
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  if (addr.empty()) {
    std::fprintf(stderr, "omniroute-health: --addr must not be empty\n");
    return 2;
  }
  if (timeout_ms < 1) {
    std::fprintf(stderr, "omniroute-health: --timeout-ms must be >= 1\n");
    return 2;
  }

  auto credentials = omniroute::tls::ChannelCredentials(tls);
  if (!credentials.ok()) {
    std::fprintf(stderr, "omniroute-health: %s\n",
                 std::string(credentials.status().message()).c_str());
    return 2;
  }
  grpc::ChannelArguments args;
  if (!tls.server_name.empty()) args.SetSslTargetNameOverride(tls.server_name);
  auto stub =
      grpc::health::v1::Health::NewStub(grpc::CreateCustomChannel(addr, *credentials, args));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&ctx, request, &response);
  const std::string what = service.empty() ? addr : addr + " " + service;
  if (!status.ok()) {
    // The default health service answers NOT_FOUND for a name nobody registered.
    std::fprintf(
        stderr, "omniroute-health: %s: %s (%s)\n", what.c_str(),
        status.error_code() == grpc::StatusCode::NOT_FOUND ? "unknown service" : "check failed",
        status.error_message().c_str());
    return 1;
  }
  if (response.status() != HealthCheckResponse::SERVING) {
    std::fprintf(stderr, "omniroute-health: %s: %s\n", what.c_str(), StatusName(response.status()));
    return 1;
  }
  std::printf("%s: SERVING\n", what.c_str());
  return 0;
}
