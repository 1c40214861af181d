#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::classification {

// Where published intent models live in Redis.
//
// The global model (every tenant without a model of its own): hash `omniroute:model` with
// 'version', 'bytes' and 'published_ms'.
//
// Tenant models:
//   omniroute:models               hash, tenant -> the version it serves (the index every
//                                  classification replica reads once a second)
//   {t:<tenant>}:model:<version>   string, the model file's bytes (in the tenant's slot)
//   {t:<tenant>}:models            sorted set of the kept versions, by publication time (ms)
// A publish writes the bytes first and the index last, so a replica never sees a version whose
// bytes are not there yet; the index is a global key (one read per second for all tenants), so a
// publish is ordered writes, not one script.
inline constexpr char kPublishedModelKey[] = "omniroute:model";
inline constexpr char kTenantModelIndexKey[] = "omniroute:models";

std::string TenantModelKey(absl::string_view tenant, absl::string_view version);
std::string TenantModelVersionsKey(absl::string_view tenant);

// A model's version: the CRC-32 the file carries (of everything before it) and the file's size
// ("3f2a19c0-1310720").
std::string ModelVersion(absl::string_view bytes);

// Kept versions of a tenant's model published before the newest (for rollback).
inline constexpr int kDefaultKeptModelVersions = 3;

struct KeptModelVersion {
  std::string version;
  int64_t published_ms = 0;
  int64_t bytes = 0;
  bool serving = false;  // the version the index names
};

// A published model's version and bytes (version empty: none published).
struct PublishedModel {
  std::string version;
  std::string bytes;
};

// Makes `bytes` (already validated by the caller) the global model. Returns the version.
absl::StatusOr<std::string> PublishGlobalModel(redis::Connection& conn, absl::string_view bytes,
                                               int64_t now_ms);
// The global model's version only (empty: none published): the cheap check before a reload.
absl::StatusOr<std::string> GlobalModelVersion(redis::Connection& conn);
// The global model; DataLoss when a version is published without bytes.
absl::StatusOr<PublishedModel> ReadGlobalModel(redis::Connection& conn);

// Stores `bytes` (already validated by the caller) as a version of the tenant's model, makes it
// the one the tenant's traffic is classified with, and deletes kept versions beyond `keep`
// (oldest first). Returns the version; FailedPrecondition for a tenant that does not exist.
absl::StatusOr<std::string> PublishTenantModel(redis::Connection& conn, absl::string_view tenant,
                                               absl::string_view bytes, int64_t now_ms, int keep);

// Makes a kept version the one the tenant is served with again (rollback). NotFound names the
// kept versions when `version` is not one of them.
absl::Status ActivateTenantModel(redis::Connection& conn, absl::string_view tenant,
                                 absl::string_view version);

// Stops serving the tenant's own model (its traffic goes back to the global model); the kept
// versions stay. FailedPrecondition when the tenant has no published model.
absl::Status UnpublishTenantModel(redis::Connection& conn, absl::string_view tenant);

// The tenant's kept versions, oldest first.
absl::StatusOr<std::vector<KeptModelVersion>> ListTenantModels(redis::Connection& conn,
                                                               absl::string_view tenant);

// tenant -> version of every published tenant model.
absl::StatusOr<std::map<std::string, std::string>> ReadTenantModelIndex(redis::Connection& conn);

// The version the tenant is served with (empty: none of its own).
absl::StatusOr<std::string> TenantModelServing(redis::Connection& conn, absl::string_view tenant);

// The bytes of one version of a tenant's model (NotFound when it is not kept).
absl::StatusOr<std::string> ReadTenantModel(redis::Connection& conn, absl::string_view tenant,
                                            absl::string_view version);

}  // namespace omniroute::classification
