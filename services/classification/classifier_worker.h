#pragma once

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <vector>

#include "absl/status/status.h"
#include "services/classification/config_cache.h"
#include "services/classification/model_store.h"
#include "services/common/clock.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"
#include "services/common/redis/stream_consumer.h"

namespace omniroute::classification {

struct ClassificationMetrics {
  explicit ClassificationMetrics(prometheus::Registry& registry);
  prometheus::Family<prometheus::Counter>& classified;
  prometheus::Family<prometheus::Counter>& intents;
  prometheus::Family<prometheus::Histogram>& batch_seconds;
  prometheus::Family<prometheus::Counter>& corrections;
  prometheus::Histogram& classify_seconds;
  prometheus::Family<prometheus::Histogram>& confidence;

  void ObserveConfidence(const std::string& tenant, double value);
};

// The classification input stored in an interaction hash (HGETALL reply, flat).
ClassifyInput InputFromHash(const std::vector<std::string>& flat);
// The verdict of `model`'s prediction `p` (its top label and the out-of-scope score and
// threshold the model was calibrated with; 0: it has no detector).
ModelVerdict VerdictOf(const model::IntentModel& model, const model::Prediction& p);
// What the model (null: none) says of the input's subject and body.
ModelVerdict Predict(const LoadedModel* model, const ClassifyInput& in);

// Classifies a batch of intake stream entries: reads the interactions (one pipeline), asks the
// intent model (when one is loaded), evaluates the tenant rules and intent mappings, and records
// each result with the classify script, which also forwards to the classified stream and
// acknowledges the entry (one more pipeline).
// Interactions classified by one script call (a bigger batch of a tenant takes several).
inline constexpr size_t kClassifyChunk = 50;

class ClassifierWorker {
 public:
  ClassifierWorker(redis::Pool* pool, const redis::Scripts* scripts, const Clock* clock,
                   ConfigCache* configs, ClassificationMetrics* metrics, int64_t event_max_len,
                   ModelStore* models = nullptr)
      : pool_(pool),
        scripts_(scripts),
        clock_(clock),
        configs_(configs),
        metrics_(metrics),
        event_max_len_(event_max_len),
        models_(models) {}

  absl::Status Handle(const std::vector<redis::StreamEntry>& entries);

 private:
  redis::Pool* pool_;
  const redis::Scripts* scripts_;
  const Clock* clock_;
  ConfigCache* configs_;
  ClassificationMetrics* metrics_;
  int64_t event_max_len_;
  ModelStore* models_;
};

}  // namespace omniroute::classification
