#include "services/classification/model_store.h"

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/classification/model_registry.h"
#include "services/common/log/log.h"

namespace omniroute::classification {

ModelStore::ModelStore(prometheus::Registry& registry, size_t tenant_budget_bytes)
    : budget_(tenant_budget_bytes),
      loads_(prometheus::BuildCounter()
                 .Name("omniroute_model_loads_total")
                 .Help("Intent model loads by outcome (loaded, rejected: the previous model "
                       "kept serving).")
                 .Register(registry)),
      info_(prometheus::BuildGauge()
                .Name("omniroute_model_info")
                .Help("1 for each intent model version this replica holds: the global model "
                      "(no tenant label) and the resident tenant models.")
                .Register(registry)),
      evictions_(prometheus::BuildCounter()
                     .Name("omniroute_tenant_model_evictions_total")
                     .Help("Tenant models dropped from memory to stay within "
                           "--tenant-model-budget-mib (least recently used first).")
                     .Register(registry)
                     .Add({})),
      resident_models_(prometheus::BuildGauge()
                           .Name("omniroute_tenant_models_resident")
                           .Help("Tenant intent models held in memory by this replica.")
                           .Register(registry)
                           .Add({})),
      resident_gauge_bytes_(prometheus::BuildGauge()
                                .Name("omniroute_tenant_models_resident_bytes")
                                .Help("Size of the tenant intent models held in memory (model "
                                      "file bytes; the budget counts these).")
                                .Register(registry)
                                .Add({})) {}

absl::Status ModelStore::LoadFile(const std::string& path) {
  auto m = model::IntentModel::FromFile(path);
  if (!m.ok()) {
    loads_.Add({{"outcome", "rejected"}}).Increment();
    return absl::Status(m.status().code(),
                        absl::StrCat("model file ", path, ": ", m.status().message()));
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  SwapGlobal(std::make_shared<const LoadedModel>(
      LoadedModel{std::move(*m), "file:" + path, "", ec ? 0 : static_cast<size_t>(size)}));
  return absl::OkStatus();
}

absl::Status ModelStore::Refresh(redis::Connection& conn) {
  absl::Status global = RefreshGlobal(conn);
  absl::Status tenants = RefreshTenants(conn);
  return global.ok() ? tenants : global;
}

absl::Status ModelStore::RefreshGlobal(redis::Connection& conn) {
  auto version = GlobalModelVersion(conn);
  if (!version.ok()) return version.status();
  if (version->empty()) return absl::OkStatus();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if ((current_ != nullptr && current_->version == *version) || rejected_version_ == *version) {
      return absl::OkStatus();
    }
  }
  auto published = ReadGlobalModel(conn);
  if (!published.ok()) return published.status();
  if (published->version.empty()) return absl::OkStatus();  // unpublished meanwhile
  const std::string& v = published->version;
  auto m = model::IntentModel::FromBytes(published->bytes);
  if (!m.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      rejected_version_ = v;
    }
    loads_.Add({{"outcome", "rejected"}}).Increment();
    auto st = absl::Status(m.status().code(),
                           absl::StrCat("published model ", v, ": ", m.status().message()));
    log::Error("intent model rejected; the previous one keeps serving",
               {{"version", v}, {"error", st.ToString()}});
    return st;
  }
  SwapGlobal(std::make_shared<const LoadedModel>(
      LoadedModel{std::move(*m), v, "", published->bytes.size()}));
  log::Info("intent model loaded", {{"version", v}});
  return absl::OkStatus();
}

absl::Status ModelStore::RefreshTenants(redis::Connection& conn) {
  auto index = ReadTenantModelIndex(conn);
  if (!index.ok()) return index.status();
  std::vector<std::pair<std::string, std::string>> to_load;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Unpublished tenants go back to the global model.
    for (auto it = tenants_.begin(); it != tenants_.end();) {
      if (index->count(it->first) > 0) {
        ++it;
        continue;
      }
      if (it->second.loaded != nullptr) resident_bytes_ -= it->second.loaded->bytes;
      SetInfoLocked(it->first, "");
      it = tenants_.erase(it);
    }
    for (const auto& [tenant, version] : *index) {
      TenantSlot& slot = tenants_[tenant];
      slot.published = version;
      if (slot.rejected == version || slot.no_room == version) continue;
      if (slot.loaded != nullptr && slot.loaded->version == version) continue;
      // A resident model is reloaded at once; a new one is loaded when it fits (a warm start),
      // else by the first classification that needs it.
      to_load.emplace_back(tenant, version);
    }
    UpdateGaugesLocked();
  }
  absl::Status first;
  for (const auto& [tenant, version] : to_load) {
    if (auto st = LoadTenant(tenant, version, conn, /*may_evict=*/false); !st.ok() && first.ok()) {
      first = st;
    }
  }
  return first;
}

absl::Status ModelStore::LoadTenant(const std::string& tenant, const std::string& version,
                                    redis::Connection& conn, bool may_evict) {
  std::shared_ptr<std::mutex> loading;
  {
    std::lock_guard<std::mutex> lock(mu_);
    loading = tenants_[tenant].loading;
  }
  // One load per tenant at a time; whoever waited finds it done.
  std::lock_guard<std::mutex> one(*loading);
  {
    std::lock_guard<std::mutex> lock(mu_);
    const TenantSlot& slot = tenants_[tenant];
    if (slot.loaded != nullptr && slot.loaded->version == version) return absl::OkStatus();
    if (!may_evict && slot.loaded == nullptr && resident_bytes_ >= budget_) return absl::OkStatus();
  }
  auto bytes = ReadTenantModel(conn, tenant, version);
  absl::StatusOr<model::IntentModel> m =
      bytes.ok() ? model::IntentModel::FromBytes(*bytes) : bytes.status();
  std::lock_guard<std::mutex> lock(mu_);
  TenantSlot& slot = tenants_[tenant];
  if (!m.ok()) {
    if (absl::IsUnavailable(m.status())) return m.status();  // Redis trouble: try again later
    slot.rejected = version;
    loads_.Add({{"outcome", "rejected"}}).Increment();
    auto st = absl::Status(m.status().code(), absl::StrCat("model ", version, " of tenant ", tenant,
                                                           ": ", m.status().message()));
    log::Error("tenant intent model rejected",
               {{"tenant", tenant}, {"version", version}, {"error", st.ToString()}});
    return st;
  }
  const size_t others = resident_bytes_ - (slot.loaded != nullptr ? slot.loaded->bytes : 0);
  if (!may_evict && slot.loaded == nullptr && others + bytes->size() > budget_) {
    slot.no_room = version;  // the first classification of the tenant loads it
    return absl::OkStatus();
  }
  resident_bytes_ = others;
  slot.loaded = std::make_shared<const LoadedModel>(
      LoadedModel{std::move(*m), version, tenant, bytes->size()});
  slot.last_used = ++uses_;
  resident_bytes_ += slot.loaded->bytes;
  loads_.Add({{"outcome", "loaded"}}).Increment();
  SetInfoLocked(tenant, version);
  EvictLocked(tenant);
  UpdateGaugesLocked();
  log::Info("tenant intent model loaded", {{"tenant", tenant}, {"version", version}});
  return absl::OkStatus();
}

void ModelStore::EvictLocked(const std::string& keep) {
  while (resident_bytes_ > budget_) {
    TenantSlot* oldest = nullptr;
    std::string name;
    for (auto& [tenant, slot] : tenants_) {
      if (tenant == keep || slot.loaded == nullptr) continue;
      if (oldest == nullptr || slot.last_used < oldest->last_used) {
        oldest = &slot;
        name = tenant;
      }
    }
    if (oldest == nullptr) return;  // only `keep` is resident: one model may exceed the budget
    resident_bytes_ -= oldest->loaded->bytes;
    oldest->loaded = nullptr;
    SetInfoLocked(name, "");
    evictions_.Increment();
    log::Info("tenant intent model evicted", {{"tenant", name}});
  }
}

void ModelStore::SetInfoLocked(const std::string& tenant, const std::string& version) {
  if (auto g = tenant_info_.find(tenant); g != tenant_info_.end()) {
    info_.Remove(g->second);
    tenant_info_.erase(g);
  }
  if (version.empty()) return;
  prometheus::Gauge* g = &info_.Add({{"tenant", tenant}, {"version", version}});
  g->Set(1);
  tenant_info_[tenant] = g;
}

void ModelStore::UpdateGaugesLocked() {
  size_t n = 0;
  for (const auto& [tenant, slot] : tenants_) n += slot.loaded != nullptr ? 1 : 0;
  resident_models_.Set(static_cast<double>(n));
  resident_gauge_bytes_.Set(static_cast<double>(resident_bytes_));
}

std::shared_ptr<const LoadedModel> ModelStore::ForTenant(const std::string& tenant,
                                                         redis::Connection& conn) {
  std::string version;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tenants_.find(tenant);
    if (it == tenants_.end()) return current_;
    TenantSlot& slot = it->second;
    // A resident model serves until Refresh has loaded its successor (within a second).
    if (slot.loaded != nullptr) {
      slot.last_used = ++uses_;
      return slot.loaded;
    }
    if (slot.rejected == slot.published) return current_;
    version = slot.published;
  }
  if (auto st = LoadTenant(tenant, version, conn, /*may_evict=*/true); !st.ok()) {
    log::WarnEvery("tenant-model", 10,
                   "tenant intent model not loaded; the global model serves meanwhile",
                   {{"tenant", tenant}, {"error", st.ToString()}});
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tenants_.find(tenant);
  if (it != tenants_.end() && it->second.loaded != nullptr) return it->second.loaded;
  return current_;
}

void ModelStore::SwapGlobal(std::shared_ptr<const LoadedModel> next) {
  std::lock_guard<std::mutex> lock(mu_);
  if (info_gauge_ != nullptr) info_.Remove(info_gauge_);
  info_gauge_ = &info_.Add({{"version", next->version}});
  info_gauge_->Set(1);
  loads_.Add({{"outcome", "loaded"}}).Increment();
  current_ = std::move(next);
}

std::shared_ptr<const LoadedModel> ModelStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

}  // namespace omniroute::classification
