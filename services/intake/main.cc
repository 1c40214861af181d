// omniroute-intake: validates and stores interactions, feeding the tenant intake streams.
#include <cstdio>

#include "services/common/clock.h"
#include "services/common/config/flags.h"
#include "services/common/grpc/auth.h"
#include "services/common/grpc/service_host.h"
#include "services/common/ids.h"
#include "services/common/log/log.h"
#include "services/intake/intake_service.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  BlockTerminationSignals();
  log::Init("intake");
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string bind = "0.0.0.0";
  int grpc_port = 7101, metrics_port = 9101, pool_size = 16;
  intake::IntakeOptions options;
  config::Flags flags("omniroute-intake");
  flags.Add("redis-url", &redis_url, "Redis address, redis://[:password@]host:port[/db]");
  flags.Add("bind", &bind, "address to listen on");
  flags.Add("grpc-port", &grpc_port, "gRPC port (0 = any free port)");
  flags.Add("metrics-port", &metrics_port, "Prometheus /metrics port (0 = any free port)");
  flags.Add("redis-pool-size", &pool_size, "Redis connections shared by request threads");
  flags.Add("event-max-len", &options.event_max_len, "approximate cap of each tenant event feed");
  flags.Add("finished-ttl-seconds", &options.finished_ttl_seconds,
            "how long finished interactions stay readable");
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  auto endpoint = redis::ParseUrl(redis_url);
  if (!endpoint.ok() || pool_size < 1) {
    std::fprintf(stderr, "omniroute-intake: %s\n",
                 endpoint.ok() ? "--redis-pool-size must be >= 1"
                               : std::string(endpoint.status().message()).c_str());
    return 2;
  }
  redis::Pool pool(*endpoint, pool_size, std::chrono::milliseconds(2000));
  SystemClock clock;
  RandomIdGenerator ids;
  Authenticator auth(&pool, &clock);
  ServiceHost host({"intake", bind, grpc_port, metrics_port, {"omniroute.v1.Intake"}}, &pool);
  intake::IntakeMetrics metrics(host.registry());
  intake::IntakeStore store(&pool, &redis::Scripts::Embedded(), &clock, &ids, options);
  intake::IntakeService service(&auth, &store, &metrics);
  host.AddService(&service);
  return host.Run();
}
