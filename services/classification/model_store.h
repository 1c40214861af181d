#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/classification/model/intent_model.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::classification {

// Where `omniroute-model publish` puts a model for every classification replica: a hash with
// 'bytes' (the model file) and 'version' (a digest of the bytes).
inline constexpr char kPublishedModelKey[] = "omniroute:model";

// The model a replica serves now; immutable, swapped as a whole.
struct LoadedModel {
  model::IntentModel model;
  std::string version;  // published version, or "file:<path>"
};

// Holds the intent model classification uses, loaded from a file at start and/or from Redis
// (published models win; checked every second by a background loop), and swapped without a
// restart. A model that does not load (corrupt bytes, bad version...) is rejected with a
// logged error and a counted failure, and the previous model keeps serving.
class ModelStore {
 public:
  explicit ModelStore(prometheus::Registry& registry);

  // Loads a model file; an error leaves the store as it was.
  absl::Status LoadFile(const std::string& path);
  // Loads the published model when its version differs from the one serving. OK when nothing
  // changed or nothing is published; the load error otherwise (the current model stays).
  absl::Status Refresh(redis::Connection& conn);

  // The model serving now (null: none).
  std::shared_ptr<const LoadedModel> Current() const;

 private:
  void Swap(std::shared_ptr<const LoadedModel> next);

  mutable std::mutex mu_;
  std::shared_ptr<const LoadedModel> current_ ABSL_GUARDED_BY(mu_);
  std::string rejected_version_ ABSL_GUARDED_BY(mu_);  // last published version that failed
  prometheus::Family<prometheus::Counter>& loads_;
  prometheus::Family<prometheus::Gauge>& info_;
  prometheus::Gauge* info_gauge_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace omniroute::classification
