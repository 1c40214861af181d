#pragma once

#include <atomic>
#include <cstdint>
#include <map>
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

// A model a replica serves; immutable, swapped as a whole.
struct LoadedModel {
  model::IntentModel model;
  std::string version;  // published version, or "file:<path>"
  std::string tenant;   // empty: the global model
  size_t bytes = 0;     // size of the model file (what the tenant model budget counts)
};

// Holds the intent models classification uses:
//  - the global model, from a file at start and/or from Redis (published models win), serving
//    every tenant that has no model of its own;
//  - tenant models (model_registry.h), at most `tenant_budget_bytes` of them resident, least
//    recently used evicted first. A tenant whose model is published but not resident gets it
//    loaded from Redis by the first classification that needs it (ForTenant).
// Refresh (every second, a background loop) follows what is published: a resident model whose
// version changed is reloaded, and new tenant models are loaded while they fit the budget. A
// model that does not load (corrupt bytes, bad version...) is rejected with a logged error and
// a counted failure, and the previous model keeps serving.
class ModelStore {
 public:
  explicit ModelStore(prometheus::Registry& registry, size_t tenant_budget_bytes = 512ull << 20);

  // Loads a global model file; an error leaves the store as it was.
  absl::Status LoadFile(const std::string& path);
  // Follows the published global and tenant models. OK when nothing changed or nothing is
  // published; the first load error otherwise (the models that loaded are served).
  absl::Status Refresh(redis::Connection& conn);

  // The global model (null: none).
  std::shared_ptr<const LoadedModel> Current() const;
  // The model that classifies `tenant`'s traffic: its own when one is published (loaded from
  // Redis through `conn` when not resident), else the global model (null: none).
  std::shared_ptr<const LoadedModel> ForTenant(const std::string& tenant, redis::Connection& conn);

 private:
  struct TenantSlot {
    std::string published;  // the version the index names
    std::shared_ptr<const LoadedModel> loaded;
    int64_t last_used = 0;  // use counter value (LRU)
    std::string rejected;   // last version that failed to load
    std::string no_room;    // last version a warm-up load found no room for
    std::shared_ptr<std::mutex> loading = std::make_shared<std::mutex>();
  };

  absl::Status RefreshGlobal(redis::Connection& conn);
  absl::Status RefreshTenants(redis::Connection& conn);
  // Loads `version` of `tenant` into its slot: evicting others past the budget, or, without
  // `may_evict`, only when it fits.
  absl::Status LoadTenant(const std::string& tenant, const std::string& version,
                          redis::Connection& conn, bool may_evict);
  void SwapGlobal(std::shared_ptr<const LoadedModel> next);
  void EvictLocked(const std::string& keep) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateGaugesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // omniroute_model_info of a tenant's resident model (version empty: none resident).
  void SetInfoLocked(const std::string& tenant, const std::string& version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t budget_;
  mutable std::mutex mu_;
  std::shared_ptr<const LoadedModel> current_ ABSL_GUARDED_BY(mu_);
  std::string rejected_version_ ABSL_GUARDED_BY(mu_);  // last global version that failed
  std::map<std::string, TenantSlot> tenants_ ABSL_GUARDED_BY(mu_);
  size_t resident_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t uses_ ABSL_GUARDED_BY(mu_) = 0;
  prometheus::Family<prometheus::Counter>& loads_;
  prometheus::Family<prometheus::Gauge>& info_;
  prometheus::Gauge* info_gauge_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<std::string, prometheus::Gauge*> tenant_info_ ABSL_GUARDED_BY(mu_);
  prometheus::Counter& evictions_;
  prometheus::Gauge& resident_models_;
  prometheus::Gauge& resident_gauge_bytes_;
};

}  // namespace omniroute::classification
