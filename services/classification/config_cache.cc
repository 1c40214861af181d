#include "services/classification/config_cache.h"

#include "absl/strings/numbers.h"
#include "services/common/keys.h"
#include "services/common/tenant_config.h"

namespace omniroute::classification {

absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> ConfigCache::Get(redis::Connection& conn,
                                                                       const std::string& tenant) {
  int64_t now = clock_->NowMs();
  std::shared_ptr<const ConfigSnapshot> current;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(tenant);
    if (it != entries_.end()) {
      current = it->second.snapshot;
      if (now - it->second.checked_ms < max_age_ms_) return current;
    }
  }
  std::string key = TenantKeys(tenant).Config();
  auto version_reply = conn.Command({"HGET", key, "version"});
  if (!version_reply.ok()) return version_reply.status();
  int64_t version = 0;
  if (!version_reply->is_nil()) (void)absl::SimpleAtoi(version_reply->str, &version);
  if (current == nullptr || current->version != version) {
    auto snap = std::make_shared<ConfigSnapshot>();
    snap->version = version;
    if (version > 0) {
      auto proto = conn.Command({"HGET", key, "proto"});
      if (!proto.ok()) return proto.status();
      v1::TenantConfig parsed;
      if (!parsed.ParseFromString(proto->str)) {
        return absl::DataLossError("tenant config in Redis does not parse");
      }
      parsed = WithDefaults(std::move(parsed));
      parsed.set_version(version);
      snap->compiled = Compile(std::move(parsed));
    } else {
      snap->compiled = Compile(WithDefaults(v1::TenantConfig()));
    }
    current = std::move(snap);
  }
  std::lock_guard<std::mutex> lock(mu_);
  entries_[tenant] = Entry{current, now};
  return current;
}

}  // namespace omniroute::classification
