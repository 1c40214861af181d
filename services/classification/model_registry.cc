#include "services/classification/model_registry.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/classification/model/intent_model.h"
#include "services/common/keys.h"

namespace omniroute::classification {
namespace {

absl::Status CheckReply(const absl::StatusOr<redis::Reply>& r, absl::string_view what) {
  if (!r.ok()) return r.status();
  if (r->is_error()) return redis::ReplyError(*r, std::string(what));
  return absl::OkStatus();
}

}  // namespace

std::string TenantModelKey(absl::string_view tenant, absl::string_view version) {
  return absl::StrCat(TenantKeys(tenant).prefix(), ":model:", version);
}

std::string TenantModelVersionsKey(absl::string_view tenant) {
  return absl::StrCat(TenantKeys(tenant).prefix(), ":models");
}

std::string ModelVersion(absl::string_view bytes) {
  // The CRC-32 of everything before the file's own trailing CRC-32 (the CRC of the whole file
  // is the same constant for every valid file).
  const size_t body = bytes.size() >= 4 ? bytes.size() - 4 : 0;
  return absl::StrFormat("%08x-%zu", model::Crc32(bytes.substr(0, body)), bytes.size());
}

absl::StatusOr<std::string> PublishGlobalModel(redis::Connection& conn, absl::string_view bytes,
                                               int64_t now_ms) {
  std::string version = ModelVersion(bytes);
  auto r = conn.Command({"HSET", kPublishedModelKey, "version", version, "bytes",
                         std::string(bytes), "published_ms", std::to_string(now_ms)});
  if (auto st = CheckReply(r, "HSET model"); !st.ok()) return st;
  return version;
}

absl::StatusOr<std::string> GlobalModelVersion(redis::Connection& conn) {
  auto v = conn.Command({"HGET", kPublishedModelKey, "version"});
  if (auto st = CheckReply(v, "HGET model"); !st.ok()) return st;
  return v->is_nil() ? std::string() : v->str;
}

absl::StatusOr<PublishedModel> ReadGlobalModel(redis::Connection& conn) {
  auto fields = conn.Command({"HMGET", kPublishedModelKey, "version", "bytes"});
  if (auto st = CheckReply(fields, "HMGET model"); !st.ok()) return st;
  if (fields->elements.size() != 2 || fields->elements[0].is_nil()) return PublishedModel{};
  if (fields->elements[1].is_nil()) return absl::DataLossError("published model has no bytes");
  return PublishedModel{std::move(fields->elements[0].str), std::move(fields->elements[1].str)};
}

absl::StatusOr<std::string> PublishTenantModel(redis::Connection& conn, absl::string_view tenant,
                                               absl::string_view bytes, int64_t now_ms, int keep) {
  // A model for a tenant that does not exist (a typo) would never serve anyone.
  auto known = conn.Command({"SISMEMBER", kTenantsKey, std::string(tenant)});
  if (auto st = CheckReply(known, "SISMEMBER tenants"); !st.ok()) return st;
  if (known->integer == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("--tenant: no tenant '", tenant,
                     "' (tenants exist once an API key was created for them: "
                     "omniroute-ctl tenants list)"));
  }
  const std::string version = ModelVersion(bytes);
  const std::string versions = TenantModelVersionsKey(tenant);
  auto set = conn.Command({"SET", TenantModelKey(tenant, version), std::string(bytes)});
  if (auto st = CheckReply(set, "SET model"); !st.ok()) return st;
  auto add = conn.Command({"ZADD", versions, std::to_string(now_ms), version});
  if (auto st = CheckReply(add, "ZADD model versions"); !st.ok()) return st;
  auto index = conn.Command({"HSET", kTenantModelIndexKey, std::string(tenant), version});
  if (auto st = CheckReply(index, "HSET model index"); !st.ok()) return st;
  // Versions beyond `keep`, oldest first (never the one just published: it is the newest).
  auto old = conn.Command({"ZRANGE", versions, "0", std::to_string(-keep - 1)});
  if (auto st = CheckReply(old, "ZRANGE model versions"); !st.ok()) return st;
  for (const auto& v : old->elements) {
    if (v.str == version) continue;
    (void)conn.Command({"DEL", TenantModelKey(tenant, v.str)});
    (void)conn.Command({"ZREM", versions, v.str});
  }
  return version;
}

absl::Status ActivateTenantModel(redis::Connection& conn, absl::string_view tenant,
                                 absl::string_view version) {
  auto exists = conn.Command({"EXISTS", TenantModelKey(tenant, version)});
  if (auto st = CheckReply(exists, "EXISTS model"); !st.ok()) return st;
  if (exists->integer == 0) {
    auto kept = ListTenantModels(conn, tenant);
    if (!kept.ok()) return kept.status();
    std::vector<std::string> names;
    for (const auto& k : *kept) names.push_back(k.version);
    return absl::NotFoundError(
        absl::StrCat("--version: tenant ", tenant, " has no kept model version '", version,
                     "' (kept: ", names.empty() ? "none" : absl::StrJoin(names, ", "), ")"));
  }
  auto index =
      conn.Command({"HSET", kTenantModelIndexKey, std::string(tenant), std::string(version)});
  return CheckReply(index, "HSET model index");
}

absl::Status UnpublishTenantModel(redis::Connection& conn, absl::string_view tenant) {
  auto del = conn.Command({"HDEL", kTenantModelIndexKey, std::string(tenant)});
  if (auto st = CheckReply(del, "HDEL model index"); !st.ok()) return st;
  if (del->integer == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("tenant ", tenant, " has no published model"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<KeptModelVersion>> ListTenantModels(redis::Connection& conn,
                                                               absl::string_view tenant) {
  auto serving = TenantModelServing(conn, tenant);
  if (!serving.ok()) return serving.status();
  auto kept = conn.Command({"ZRANGE", TenantModelVersionsKey(tenant), "0", "-1", "WITHSCORES"});
  if (auto st = CheckReply(kept, "ZRANGE model versions"); !st.ok()) return st;
  std::vector<KeptModelVersion> out;
  for (size_t i = 0; i + 1 < kept->elements.size(); i += 2) {
    KeptModelVersion k;
    k.version = kept->elements[i].str;
    (void)absl::SimpleAtoi(kept->elements[i + 1].str, &k.published_ms);
    k.serving = k.version == *serving;
    auto len = conn.Command({"STRLEN", TenantModelKey(tenant, k.version)});
    if (auto st = CheckReply(len, "STRLEN model"); !st.ok()) return st;
    k.bytes = len->integer;
    out.push_back(std::move(k));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> ReadTenantModelIndex(redis::Connection& conn) {
  auto all = conn.Command({"HGETALL", kTenantModelIndexKey});
  if (auto st = CheckReply(all, "HGETALL model index"); !st.ok()) return st;
  std::map<std::string, std::string> index;
  for (size_t i = 0; i + 1 < all->elements.size(); i += 2) {
    index[all->elements[i].str] = all->elements[i + 1].str;
  }
  return index;
}

absl::StatusOr<std::string> TenantModelServing(redis::Connection& conn, absl::string_view tenant) {
  auto v = conn.Command({"HGET", kTenantModelIndexKey, std::string(tenant)});
  if (auto st = CheckReply(v, "HGET model index"); !st.ok()) return st;
  return v->is_nil() ? std::string() : v->str;
}

absl::StatusOr<std::string> ReadTenantModel(redis::Connection& conn, absl::string_view tenant,
                                            absl::string_view version) {
  auto bytes = conn.Command({"GET", TenantModelKey(tenant, version)});
  if (auto st = CheckReply(bytes, "GET model"); !st.ok()) return st;
  if (bytes->is_nil()) {
    return absl::NotFoundError(
        absl::StrCat("model version ", version, " of tenant ", tenant, " is not in Redis"));
  }
  return std::move(bytes->str);
}

}  // namespace omniroute::classification
