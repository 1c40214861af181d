// omniroute-webhooks: delivers the tenants' events to the webhooks they subscribed (signed
// POSTs, retried with backoff, dead-lettered). Serves no API of its own: its gRPC port carries
// health and reflection only. Run any number of replicas.
#include <chrono>
#include <cstdio>
#include <random>

#include "services/common/clock.h"
#include "services/common/config/service_flags.h"
#include "services/common/grpc/service_host.h"
#include "services/common/log/log.h"
#include "services/webhooks/webhooks_config.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  BlockTerminationSignals();
  log::Init("webhooks");
  config::ServiceFlags common;
  common.grpc_port = 7104;
  common.metrics_port = 9104;
  common.redis_pool_size = 8;
  webhooks::WebhooksConfig config;
  config::Flags flags("omniroute-webhooks");
  common.AddTo(flags);
  webhooks::AddFlags(flags, &config);
  if (auto code = config::ParseOrExitCode(flags, common, argc, argv, "omniroute-webhooks")) {
    return *code;
  }
  if (common.http_port >= 0) {  // no flag is silently ignored
    std::fprintf(stderr, "omniroute-webhooks: --http-port: the worker serves no API (keep -1)\n");
    return 2;
  }
  if (auto st = webhooks::Validate(config); !st.ok()) {
    std::fprintf(stderr, "omniroute-webhooks: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  // Each sender thread settles its delivery on a connection of its own; the dispatcher and the
  // gauges take two more.
  redis::Pool pool(common.endpoint, common.redis_pool_size + config.worker.concurrency + 2,
                   std::chrono::milliseconds(2000));
  SystemClock clock;
  ServiceHost host({"webhooks", common.bind, common.grpc_port, common.metrics_port, {}, common.tls},
                   &pool);
  webhooks::WebhookMetrics metrics(host.registry());
  webhooks::DeliveryQueue queue(&pool, &redis::Scripts::Embedded(), &clock, config.queue);
  webhooks::DeliveryWorker worker(
      &queue,
      [&config]() -> std::unique_ptr<webhooks::HttpSender> {
        return std::make_unique<webhooks::CurlSender>(config.sender);
      },
      &clock, &metrics, config.worker,
      [] {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      });
  log::Info("webhook worker",
            {{"concurrency", std::to_string(config.worker.concurrency)},
             {"allow_loopback", config.sender.policy.allow_loopback ? "1" : "0"},
             {"allow_private_networks", config.sender.policy.allow_private ? "1" : "0"}});
  host.AddLoop("deliveries", [&worker](const std::atomic<bool>& stop) { worker.Run(stop); });
  host.AddLoop("gauges", [&worker](const std::atomic<bool>& stop) { worker.RunGauges(stop); });
  return host.Run();
}
