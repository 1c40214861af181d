// omniroute-intake: validates and stores interactions, feeding the tenant intake streams.
#include <cstdio>

#include "services/common/clock.h"
#include "services/common/config/service_flags.h"
#include "services/common/grpc/auth.h"
#include "services/common/grpc/service_host.h"
#include "services/common/ids.h"
#include "services/common/log/log.h"
#include "services/intake/intake_service.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  BlockTerminationSignals();
  log::Init("intake");
  config::ServiceFlags common;
  common.grpc_port = 7101;
  common.metrics_port = 9101;
  intake::IntakeOptions options;
  config::Flags flags("omniroute-intake");
  common.AddTo(flags);
  flags.Add("event-max-len", &options.event_max_len, "approximate cap of each tenant event feed");
  flags.Add("finished-ttl-seconds", &options.finished_ttl_seconds,
            "how long finished interactions stay readable");
  if (auto code = config::ParseOrExitCode(flags, common, argc, argv, "omniroute-intake")) {
    return *code;
  }
  redis::Pool pool(common.endpoint, common.redis_pool_size, std::chrono::milliseconds(2000));
  SystemClock clock;
  RandomIdGenerator ids;
  Authenticator auth(&pool, &clock);
  ServiceHost host(
      {"intake", common.bind, common.grpc_port, common.metrics_port, {"omniroute.v1.Intake"}},
      &pool);
  intake::IntakeMetrics metrics(host.registry());
  intake::IntakeStore store(&pool, &redis::Scripts::Embedded(), &clock, &ids, options);
  intake::IntakeService service(&auth, &store, &metrics);
  host.AddService(&service);
  return host.Run();
}
