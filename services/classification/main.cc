// omniroute-classification: consumes the tenant intake streams, classifies each interaction
// with the tenant's rules and forwards it to routing.
#include <unistd.h>

#include <cstdio>

#include "services/classification/classification_service.h"
#include "services/classification/classifier_worker.h"
#include "services/common/clock.h"
#include "services/common/config/flags.h"
#include "services/common/grpc/service_host.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/common/log/log.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  BlockTerminationSignals();
  log::Init("classification");
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string bind = "0.0.0.0";
  int grpc_port = 7102, metrics_port = 9102, pool_size = 8, workers = 1;
  int64_t event_max_len = 100000, config_max_age_ms = 500;
  redis::ConsumerOptions consumer{"s:intake", kClassificationGroup, ""};
  config::Flags flags("omniroute-classification");
  flags.Add("redis-url", &redis_url, "Redis address, redis://[:password@]host:port[/db]");
  flags.Add("bind", &bind, "address to listen on");
  flags.Add("grpc-port", &grpc_port, "gRPC port (0 = any free port)");
  flags.Add("metrics-port", &metrics_port, "Prometheus /metrics port (0 = any free port)");
  flags.Add("redis-pool-size", &pool_size, "Redis connections shared by request threads");
  flags.Add("workers", &workers, "stream consumer threads");
  flags.Add("event-max-len", &event_max_len, "approximate cap of each tenant event feed");
  flags.Add("config-max-age-ms", &config_max_age_ms, "how stale a cached tenant config may be");
  flags.Add("reclaim-idle-ms", &consumer.reclaim_idle_ms,
            "claim stream entries pending this long on a dead consumer");
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  auto endpoint = redis::ParseUrl(redis_url);
  if (!endpoint.ok() || workers < 1 || pool_size < 1) {
    std::fprintf(stderr, "omniroute-classification: %s\n",
                 endpoint.ok() ? "--workers and --redis-pool-size must be >= 1"
                               : std::string(endpoint.status().message()).c_str());
    return 2;
  }
  redis::Pool pool(*endpoint, pool_size + workers, std::chrono::milliseconds(2000));
  SystemClock clock;
  RandomIdGenerator ids;
  Authenticator auth(&pool, &clock);
  classification::ConfigCache configs(&clock, config_max_age_ms);
  ServiceHost host({"classification", bind, grpc_port, metrics_port, {"omniroute.v1.Classifier"}},
                   &pool);
  classification::ClassificationMetrics metrics(host.registry());
  classification::ClassifierWorker worker(&pool, &redis::Scripts::Embedded(), &clock, &configs,
                                          &metrics, event_max_len);
  classification::ClassificationService service(&auth, &pool, &configs);
  host.AddService(&service);
  std::string base = "classification-" + ids.NewId().substr(0, 12);
  for (int i = 0; i < workers; ++i) {
    redis::ConsumerOptions opts = consumer;
    opts.consumer = base + "-" + std::to_string(i);
    host.AddLoop("consumer", [&pool, &worker, opts](const std::atomic<bool>& stop) {
      redis::StreamConsumer c(&pool, opts, [&worker](const auto& e) { return worker.Handle(e); });
      c.Run(stop);
    });
  }
  return host.Run();
}
