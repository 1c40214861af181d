#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"
#include "services/classification/rules.h"
#include "services/common/clock.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::classification {

struct ConfigSnapshot {
  int64_t version = 0;
  std::unique_ptr<const CompiledConfig> compiled;  // WithDefaults applied
  const v1::TenantConfig& config() const { return compiled->config; }
};

// Per-tenant config, re-read from Redis when older than max_age_ms (so every replica sees a
// new version within that time), and only parsed again when the version changed.
class ConfigCache {
 public:
  ConfigCache(const Clock* clock, int64_t max_age_ms) : clock_(clock), max_age_ms_(max_age_ms) {}

  absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> Get(redis::Connection& conn,
                                                            const std::string& tenant);

 private:
  struct Entry {
    std::shared_ptr<const ConfigSnapshot> snapshot;
    int64_t checked_ms = 0;
  };
  const Clock* clock_;
  const int64_t max_age_ms_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omniroute::classification
