// omniroute-routing: queues, agents, offers and assignments; also serves the Admin API.
#include <chrono>
#include <cstdio>

#include "absl/synchronization/mutex.h"
#include "services/common/bounded_executor.h"
#include "services/common/clock.h"
#include "services/common/config/service_flags.h"
#include "services/common/grpc/auth.h"
#include "services/common/grpc/service_host.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/common/log/log.h"
#include "services/common/openapi/openapi.h"
#include "services/common/redis/stream_hub.h"
#include "services/routing/admin_service.h"
#include "services/routing/background.h"
#include "services/routing/routing_service.h"
#include "services/routing/watch_streams.h"
#include "services/whatif/what_if.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  BlockTerminationSignals();
  // Debian's abseil is built without NDEBUG, so every absl::Mutex lock would also update a
  // deadlock-detection graph (~8 % of the CPU with 10,000 open streams). Tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  log::Init("routing");
  config::ServiceFlags common;
  common.grpc_port = 7103;
  common.metrics_port = 9103;
  common.http_port = 8103;
  common.http_threads = 64;  // agent desktops' event streams each hold one
  routing::RoutingOptions options;
  routing::BackgroundOptions background;
  redis::ConsumerOptions consumer{"s:classified", kRoutingGroup, ""};
  redis::HubOptions hub_options;
  int watch_buffer = 256;
  redis::Pipeliner::Options pipelines;
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
  flags.Add("cluster-idle-ms", &consumer.cluster_idle_ms,
            "on a Redis Cluster, the longest wait of the stream consumer between reads that "
            "found nothing (no blocking reads there: new work waits up to this long, an idle "
            "consumer reads every tenant stream this often)");
  flags.Add("watch-buffer", &watch_buffer,
            "entries each WatchOffers/WatchEvents stream holds for a client that reads slower "
            "than they come; a full stream is paused until the client has read half of them");
  flags.Add("redis-pipelines", &pipelines.lanes,
            "connections (each with one thread) that carry AcceptOffer, RejectOffer and "
            "CompleteInteraction to Redis, many calls per round trip");
  std::string what_if_redis = "redis-server";
  flags.Add("what-if-redis-server", &what_if_redis,
            "redis-server that Admin.RunWhatIf starts as each replay's scratch Redis (a path, or "
            "a name looked up in PATH; empty: RunWhatIf is UNIMPLEMENTED)");
  flags.Add("watch-keys-per-read", &hub_options.keys_per_read,
            "watched streams per multiplexed XREAD (each group of streams has one connection)");
  if (auto code = config::ParseOrExitCode(flags, common, argc, argv, "omniroute-routing")) {
    return *code;
  }
  if (consumer.cluster_idle_ms < 1) {
    std::fprintf(stderr, "omniroute-routing: --cluster-idle-ms must be >= 1\n");
    return 2;
  }
  if (background.agent_gauge_every < 1) {
    std::fprintf(stderr, "omniroute-routing: --agent-gauge-every must be >= 1\n");
    return 2;
  }
  if (background.timer_interval_ms < 1) {
    std::fprintf(stderr, "omniroute-routing: --timer-interval-ms must be >= 1\n");
    return 2;
  }
  if (watch_buffer < 1 || hub_options.keys_per_read < 1 || pipelines.lanes < 1) {
    std::fprintf(stderr,
                 "omniroute-routing: --watch-buffer, --watch-keys-per-read and --redis-pipelines "
                 "must be >= 1\n");
    return 2;
  }
  redis::Pool pool(common.endpoint, common.redis_pool_size + 3, std::chrono::milliseconds(2000));
  // Declared before the host: they outlive the server, which is shut down inside host.Run().
  BoundedExecutor executor("routing-rpc", common.workers(), static_cast<size_t>(common.rpc_queue));
  redis::StreamHub hub(common.endpoint, hub_options);
  SystemClock clock;
  RandomIdGenerator ids;
  Authenticator auth(&pool, &clock);
  ServiceHost host({"routing",
                    common.bind,
                    common.grpc_port,
                    common.metrics_port,
                    {"omniroute.v1.Routing", "omniroute.v1.Admin"},
                    common.tls,
                    common.http(),
                    /*drain_seconds=*/10},
                   &pool);
  routing::RoutingMetrics metrics(host.registry());
  routing::RoutingEngine engine(&pool, &redis::Scripts::Embedded(), &clock, options);
  // After the host: destroyed first, once host.Run() has finished every call.
  redis::Pipeliner pipeliner(common.endpoint, pipelines, &redis::Scripts::Embedded(),
                             host.redis_observer());
  engine.set_pipeliner(&pipeliner);
  routing::WatchStreams streams(&auth, &pool, &executor, &hub, static_cast<size_t>(watch_buffer),
                                host.registry());
  routing::RoutingService routing_service(&auth, &engine, &metrics, &executor, &streams);
  webhooks::WebhookStore webhook_store(&pool, &redis::Scripts::Embedded(), &clock, &ids);
  routing::AdminService admin_service(&auth, &engine, &webhook_store, &metrics, &executor);
  InboundSourceStore inbound_sources(&pool, &redis::Scripts::Embedded(), &clock);
  admin_service.set_inbound_sources(&inbound_sources);
  if (!what_if_redis.empty()) {
    // The replay fires timers as this replica does.
    whatif::ReplayOptions replay;
    replay.timer_interval_ms = background.timer_interval_ms;
    replay.sweep_interval_ms = background.sweep_interval_ms;
    replay.skip_ms = options.skip_ms;
    admin_service.set_what_if([what_if_redis, replay](const v1::RunWhatIfRequest& req) {
      return whatif::RunWhatIf(req, what_if_redis, replay);
    });
  }
  host.AddService(&routing_service);
  host.AddService(&admin_service);
  host.AddHttpRoute(
      "/openapi.json",
      openapi::DocumentRoute({"omniroute.v1.Routing", "omniroute.v1.Admin"}, "omniroute routing"));
  // The drain ends every watch stream (after what it buffered), so the server can finish.
  host.AddDrainHook([&hub] { hub.Stop(); });
  hub.Start();

  consumer.consumer = "routing-" + ids.NewId().substr(0, 12);
  host.AddLoop("consumer", [&](const std::atomic<bool>& stop) {
    redis::StreamConsumer c(&pool, consumer, [&](const std::vector<redis::StreamEntry>& batch) {
      auto started = std::chrono::steady_clock::now();
      auto results = engine.Enqueue(batch);
      metrics.ObserveDecision(
          "enqueue",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (!results.ok()) return results.status();
      bool retry = false;
      for (const auto& r : *results) {
        std::string outcome = r.outcome.substr(0, r.outcome.find(':'));
        metrics.enqueued.Add({{"tenant", r.tenant}, {"outcome", outcome}}).Increment();
        retry = retry || outcome == "unavailable";
      }
      // The consumer then takes its pending entries back at once.
      if (retry) return absl::UnavailableError("enqueue: redis answered 'not now'");
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
