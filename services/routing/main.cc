// omniroute-routing: queues, agents, offers and assignments; also serves the Admin API.
#include <chrono>
#include <cstdio>

#include "services/common/clock.h"
#include "services/common/config/service_flags.h"
#include "services/common/grpc/auth.h"
#include "services/common/grpc/service_host.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/common/log/log.h"
#include "services/routing/admin_service.h"
#include "services/routing/background.h"
#include "services/routing/routing_service.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  BlockTerminationSignals();
  log::Init("routing");
  config::ServiceFlags common;
  common.grpc_port = 7103;
  common.metrics_port = 9103;
  routing::RoutingOptions options;
  routing::BackgroundOptions background;
  redis::ConsumerOptions consumer{"s:classified", kRoutingGroup, ""};
  config::Flags flags("omniroute-routing");
  common.AddTo(flags);
  flags.Add("event-max-len", &options.event_max_len, "approximate cap of each tenant event feed");
  flags.Add("finished-ttl-seconds", &options.finished_ttl_seconds,
            "how long finished interactions stay readable");
  flags.Add("skip-ms", &options.skip_ms,
            "how long an agent who declined or missed an interaction is skipped for it");
  flags.Add("timer-interval-ms", &background.timer_interval_ms,
            "how often due timers are fired (offer deadlines, reservations, max waits, "
            "bullseye steps) and a re-score chunk runs");
  flags.Add("sweep-interval-ms", &background.sweep_interval_ms,
            "how often every queue is re-matched");
  flags.Add("gauge-interval-ms", &background.gauge_interval_ms,
            "how often queue and stream gauges are read from Redis");
  flags.Add("agent-gauge-every", &background.agent_gauge_every,
            "read the agent gauges (by state, capacity slots) every n-th gauge refresh; they "
            "read every agent of every tenant");
  flags.Add("reclaim-idle-ms", &consumer.reclaim_idle_ms,
            "claim stream entries pending this long on a dead consumer");
  if (auto code = config::ParseOrExitCode(flags, common, argc, argv, "omniroute-routing")) {
    return *code;
  }
  if (background.agent_gauge_every < 1) {
    std::fprintf(stderr, "omniroute-routing: --agent-gauge-every must be >= 1\n");
    return 2;
  }
  if (background.timer_interval_ms < 1) {
    std::fprintf(stderr, "omniroute-routing: --timer-interval-ms must be >= 1\n");
    return 2;
  }
  redis::Pool pool(common.endpoint, common.redis_pool_size + 3, std::chrono::milliseconds(2000));
  SystemClock clock;
  RandomIdGenerator ids;
  Authenticator auth(&pool, &clock);
  ServiceHost host({"routing",
                    common.bind,
                    common.grpc_port,
                    common.metrics_port,
                    {"omniroute.v1.Routing", "omniroute.v1.Admin"}},
                   &pool);
  routing::RoutingMetrics metrics(host.registry());
  routing::RoutingEngine engine(&pool, &redis::Scripts::Embedded(), &clock, options);
  routing::RoutingService routing_service(&auth, &engine, &pool, &metrics, &host.draining());
  routing::AdminService admin_service(&auth, &engine);
  host.AddService(&routing_service);
  host.AddService(&admin_service);

  consumer.consumer = "routing-" + ids.NewId().substr(0, 12);
  host.AddLoop("consumer", [&](const std::atomic<bool>& stop) {
    redis::StreamConsumer c(&pool, consumer, [&](const std::vector<redis::StreamEntry>& batch) {
      auto started = std::chrono::steady_clock::now();
      auto results = engine.Enqueue(batch);
      metrics.ObserveDecision(
          "enqueue",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (!results.ok()) return results.status();
      for (const auto& r : *results) {
        std::string outcome = r.outcome.substr(0, r.outcome.find(':'));
        metrics.enqueued.Add({{"tenant", r.tenant}, {"outcome", outcome}}).Increment();
      }
      return absl::OkStatus();
    });
    c.Run(stop);
  });
  host.AddLoop("timers", [&](const std::atomic<bool>& stop) {
    routing::RunTimerLoop(pool, engine, metrics, background, stop);
  });
  host.AddLoop("gauges", [&](const std::atomic<bool>& stop) {
    routing::RunGaugeLoop(pool, engine, metrics, background, stop);
  });
  return host.Run();
}
