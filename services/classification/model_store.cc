#include "services/classification/model_store.h"

#include "absl/strings/str_cat.h"
#include "services/common/log/log.h"

namespace omniroute::classification {

ModelStore::ModelStore(prometheus::Registry& registry)
    : loads_(prometheus::BuildCounter()
                 .Name("omniroute_model_loads_total")
                 .Help("Intent model loads by outcome (loaded, rejected: the previous model "
                       "kept serving).")
                 .Register(registry)),
      info_(prometheus::BuildGauge()
                .Name("omniroute_model_info")
                .Help("1 for the intent model version this replica serves.")
                .Register(registry)) {}

absl::Status ModelStore::LoadFile(const std::string& path) {
  auto m = model::IntentModel::FromFile(path);
  if (!m.ok()) {
    loads_.Add({{"outcome", "rejected"}}).Increment();
    return absl::Status(m.status().code(),
                        absl::StrCat("model file ", path, ": ", m.status().message()));
  }
  Swap(std::make_shared<const LoadedModel>(LoadedModel{std::move(*m), "file:" + path}));
  return absl::OkStatus();
}

absl::Status ModelStore::Refresh(redis::Connection& conn) {
  auto version = conn.Command({"HGET", kPublishedModelKey, "version"});
  if (!version.ok()) return version.status();
  if (version->is_nil()) return absl::OkStatus();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if ((current_ != nullptr && current_->version == version->str) ||
        rejected_version_ == version->str) {
      return absl::OkStatus();
    }
  }
  auto fields = conn.Command({"HMGET", kPublishedModelKey, "version", "bytes"});
  if (!fields.ok()) return fields.status();
  if (fields->elements.size() != 2 || fields->elements[1].is_nil()) {
    return absl::DataLossError("published model has no bytes");
  }
  const std::string& v = fields->elements[0].str;
  auto m = model::IntentModel::FromBytes(fields->elements[1].str);
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
  Swap(std::make_shared<const LoadedModel>(LoadedModel{std::move(*m), v}));
  log::Info("intent model loaded", {{"version", v}});
  return absl::OkStatus();
}

void ModelStore::Swap(std::shared_ptr<const LoadedModel> next) {
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
