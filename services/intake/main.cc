// omniroute-intake: validates and stores interactions, feeding the tenant intake streams.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "services/common/clock.h"
#include "services/common/config/service_flags.h"
#include "services/common/grpc/auth.h"
#include "services/common/grpc/service_host.h"
#include "services/common/ids.h"
#include "services/common/log/log.h"
#include "services/common/openapi/openapi.h"
#include "services/intake/intake_service.h"
#include "services/intake/webhooks.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  BlockTerminationSignals();
  log::Init("intake");
  config::ServiceFlags common;
  common.grpc_port = 7101;
  common.metrics_port = 9101;
  common.http_port = 8101;
  intake::IntakeOptions options;
  intake::WebhookOptions webhook_options;
  config::Flags flags("omniroute-intake");
  common.AddTo(flags);
  flags.Add("event-max-len", &options.event_max_len, "approximate cap of each tenant event feed");
  flags.Add("redis-wait-replicas", &options.wait_replicas,
            "acknowledge a Submit only once this many Redis replicas have it (WAIT); 0 = at "
            "once, and a Redis failover may lose the last acknowledged Submits");
  flags.Add("redis-wait-ms", &options.wait_ms,
            "how long a Submit waits for --redis-wait-replicas before answering UNAVAILABLE "
            "(retried with its idempotency key, it gets the same interaction)");
  flags.Add("finished-ttl-seconds", &options.finished_ttl_seconds,
            "how long finished interactions stay readable");
  flags.Add("webhook-source-cache-ms", &webhook_options.source_cache_ms,
            "how long a replica keeps a provider webhook source it read: a changed secret or a "
            "new or deleted source applies within this time");
  if (auto code = config::ParseOrExitCode(flags, common, argc, argv, "omniroute-intake")) {
    return *code;
  }
  if (webhook_options.source_cache_ms < 0) {
    std::fprintf(stderr, "omniroute-intake: --webhook-source-cache-ms must be >= 0\n");
    return 2;
  }
  if (options.wait_replicas < 0 || options.wait_ms < 1) {
    std::fprintf(stderr,
                 "omniroute-intake: --redis-wait-replicas must be >= 0 and --redis-wait-ms >= 1\n");
    return 2;
  }
  redis::Pool pool(common.endpoint, common.redis_pool_size + 2, std::chrono::milliseconds(2000));
  // Declared before the host: it outlives the server, which is shut down inside host.Run().
  BoundedExecutor executor("intake-rpc", common.workers(), static_cast<size_t>(common.rpc_queue));
  SystemClock clock;
  TimeOrderedIdGenerator ids;  // waiting work with equal scores is served in id order
  Authenticator auth(&pool, &clock);
  ServiceHost host({"intake",
                    common.bind,
                    common.grpc_port,
                    common.metrics_port,
                    {"omniroute.v1.Intake"},
                    common.tls,
                    common.http()},
                   &pool);
  intake::IntakeMetrics metrics(host.registry());
  intake::IntakeStore store(&pool, &redis::Scripts::Embedded(), &clock, &ids, options);
  intake::IntakeService service(&auth, &store, &metrics, &executor);
  host.AddService(&service);
  // Provider webhooks (README "Provider webhooks in"), authenticated by their source's secret.
  InboundSourceStore inbound_sources(&pool, &redis::Scripts::Embedded(), &clock);
  intake::InboundSourceCache source_cache(&inbound_sources, &clock,
                                          webhook_options.source_cache_ms);
  intake::WebhookHandler webhooks(&source_cache, &store, &metrics, &clock, webhook_options);
  host.AddHttpRoute("/webhooks/",
                    [&webhooks](const http::Request& req) { return webhooks.Handle(req); });
  host.AddHttpRoute("/openapi.json",
                    openapi::DocumentRoute({"omniroute.v1.Intake"}, "omniroute intake"));
  // Every queue's abandoned counters exist at 0 (refreshed as queues are added): the service
  // level rule's increase() then counts a queue's first abandonment too.
  host.AddLoop("series", [&](const std::atomic<bool>& stop) {
    while (!stop.load()) {
      if (auto qcs = store.ListQueueChannels(); qcs.ok()) {
        for (const auto& qc : *qcs) metrics.EnsureAbandonedSeries(qc.tenant, qc.queue, qc.channel);
      }
      for (int i = 0; i < 50 && !stop.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
  return host.Run();
}
