// omniroute-classification: consumes the tenant intake streams, classifies each interaction
// with the tenant's rules and forwards it to routing.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "services/classification/classification_service.h"
#include "services/classification/classifier_worker.h"
#include "services/classification/model_store.h"
#include "services/common/clock.h"
#include "services/common/config/service_flags.h"
#include "services/common/grpc/service_host.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/common/log/log.h"
#include "services/common/openapi/openapi.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  BlockTerminationSignals();
  log::Init("classification");
  config::ServiceFlags common;
  common.grpc_port = 7102;
  common.metrics_port = 9102;
  common.http_port = 8102;
  common.redis_pool_size = 8;
  int workers = 1;
  int64_t event_max_len = 100000, config_max_age_ms = 500;
  redis::ConsumerOptions consumer{"s:intake", kClassificationGroup, ""};
  config::Flags flags("omniroute-classification");
  common.AddTo(flags);
  flags.Add("workers", &workers, "stream consumer threads");
  flags.Add("event-max-len", &event_max_len, "approximate cap of each tenant event feed");
  flags.Add("config-max-age-ms", &config_max_age_ms, "how stale a cached tenant config may be");
  std::string model_file;
  flags.Add("model-file", &model_file,
            "intent model file to serve at start (a model published to Redis replaces it)");
  int64_t tenant_model_budget_mib = 512;
  flags.Add("tenant-model-budget-mib", &tenant_model_budget_mib,
            "memory for tenant intent models (model file MiB): past it the least recently used "
            "are dropped and loaded again from Redis by their tenant's next classification");
  flags.Add("reclaim-idle-ms", &consumer.reclaim_idle_ms,
            "claim stream entries pending this long on a dead consumer");
  flags.Add("cluster-idle-ms", &consumer.cluster_idle_ms,
            "on a Redis Cluster, the longest wait of the stream consumer between reads that "
            "found nothing (no blocking reads there: new work waits up to this long, an idle "
            "consumer reads every tenant stream this often)");
  if (auto code = config::ParseOrExitCode(flags, common, argc, argv, "omniroute-classification")) {
    return *code;
  }
  if (consumer.cluster_idle_ms < 1) {
    std::fprintf(stderr, "omniroute-classification: --cluster-idle-ms must be >= 1\n");
    return 2;
  }
  if (tenant_model_budget_mib < 1) {
    std::fprintf(stderr, "omniroute-classification: --tenant-model-budget-mib must be >= 1\n");
    return 2;
  }
  if (workers < 1) {
    std::fprintf(stderr, "omniroute-classification: --workers must be >= 1\n");
    return 2;
  }
  redis::Pool pool(common.endpoint, common.redis_pool_size + workers,
                   std::chrono::milliseconds(2000));
  // Declared before the host: it outlives the server, which is shut down inside host.Run().
  BoundedExecutor executor("classification-rpc", common.workers(),
                           static_cast<size_t>(common.rpc_queue));
  SystemClock clock;
  RandomIdGenerator ids;
  Authenticator auth(&pool, &clock);
  classification::ConfigCache configs(&clock, config_max_age_ms);
  ServiceHost host({"classification",
                    common.bind,
                    common.grpc_port,
                    common.metrics_port,
                    {"omniroute.v1.Classifier"},
                    common.tls,
                    common.http()},
                   &pool);
  classification::ClassificationMetrics metrics(host.registry());
  classification::ModelStore models(host.registry(), static_cast<size_t>(tenant_model_budget_mib)
                                                         << 20);
  if (!model_file.empty()) {
    if (auto st = models.LoadFile(model_file); !st.ok()) {
      std::fprintf(stderr, "omniroute-classification: --model-file: %s\n",
                   std::string(st.message()).c_str());
      return 2;
    }
  }
  classification::ClassifierWorker worker(&pool, &redis::Scripts::Embedded(), &clock, &configs,
                                          &metrics, event_max_len, &models);
  classification::ClassificationService service({&auth, &pool, &configs, &models,
                                                 &redis::Scripts::Embedded(), &clock, &metrics,
                                                 event_max_len, &executor});
  host.AddService(&service);
  host.AddHttpRoute("/openapi.json", openapi::DocumentRoute({"omniroute.v1.Classifier"},
                                                            "omniroute classification"));
  // Models published to Redis (omniroute-model publish, global or per tenant) are picked up
  // within a second.
  host.AddLoop("model", [&pool, &models](const std::atomic<bool>& stop) {
    while (!stop.load()) {
      if (auto conn = pool.Acquire(); conn.ok()) {
        if (auto st = models.Refresh(**conn);
            !st.ok() && !absl::IsDataLoss(st) && !absl::IsInvalidArgument(st)) {
          log::WarnEvery("model", 10, "model refresh failed", {{"error", st.ToString()}});
        }
      }
      for (int i = 0; i < 10 && !stop.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
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
