// omniroute-model publish / models / unpublish: makes every classification replica serve a model
// (the global one, or a tenant's own), lists a tenant's kept versions, and rolls back.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model_registry.h"
#include "services/common/redis/redis_client.h"
#include "services/common/validation.h"
#include "tools/model/args.h"
#include "tools/model/commands.h"
#include "tools/model/redis_target.h"

namespace omniroute::model_cli {

using classification::model::IntentModel;

const char kPublishUsage[] =
    "usage: omniroute-model publish --model MODEL [--tenant T [--keep 3]] [REDIS]\n"
    "       omniroute-model publish --tenant T --version V [REDIS]      (roll back to a kept "
    "version)\n"
    "       omniroute-model models --tenant T [REDIS]                   (kept versions)\n"
    "       omniroute-model unpublish --tenant T [REDIS]                (back to the global "
    "model)\n"
    "  REDIS: --redis-url URL, else OMNIROUTE_REDIS_URL, else --redis-host H --redis-port P\n"
    "  checks the model, then makes every classification replica serve it within a second: the\n"
    "  global model (hash omniroute:model), or with --tenant that tenant's own (its last --keep\n"
    "  versions are kept for rollback). Version = CRC-32 and size of the file.\n";

namespace {

absl::StatusOr<std::unique_ptr<redis::Connection>> Connect(const Args& args) {
  absl::StatusOr<redis::Endpoint> endpoint = RedisTarget(args);
  if (!endpoint.ok()) return endpoint.status();
  return redis::Connection::Open(*endpoint, std::chrono::milliseconds(5000));
}

}  // namespace

absl::StatusOr<std::string> PublishModelBytes(redis::Connection& conn, const std::string& tenant,
                                              const std::string& bytes, int keep) {
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  if (tenant.empty()) return classification::PublishGlobalModel(conn, bytes, now_ms);
  return classification::PublishTenantModel(conn, tenant, bytes, now_ms, keep);
}

int RunPublish(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(
      argv, {"model", "tenant", "keep", "version", "redis-url", "redis-host", "redis-port"}, {});
  if (!args.ok()) return UsageError("publish", args.status(), kPublishUsage);
  const std::string tenant = args->String("tenant");
  if (!tenant.empty()) {
    if (auto st = ValidateTenantId("--tenant", tenant); !st.ok()) {
      return UsageError("publish", st, kPublishUsage);
    }
  }
  absl::StatusOr<int64_t> keep =
      args->Int("keep", classification::kDefaultKeptModelVersions, 1, 100);
  if (!keep.ok()) return UsageError("publish", keep.status(), kPublishUsage);
  if (args->Has("version")) {
    if (tenant.empty() || args->Has("model")) {
      return UsageError("publish",
                        absl::InvalidArgumentError("--version: needs --tenant and no --model"),
                        kPublishUsage);
    }
    auto conn = Connect(*args);
    if (!conn.ok()) return FileError("publish", conn.status());
    const std::string version = args->String("version");
    if (auto st = classification::ActivateTenantModel(**conn, tenant, version); !st.ok()) {
      return FileError("publish", st);
    }
    std::printf("tenant %s now served by its model version %s\n", tenant.c_str(), version.c_str());
    return 0;
  }
  absl::StatusOr<std::string> model_path = args->Required("model");
  if (!model_path.ok()) return UsageError("publish", model_path.status(), kPublishUsage);
  if (absl::StatusOr<redis::Endpoint> e = RedisTarget(*args); !e.ok()) {
    return UsageError("publish", e.status(), kPublishUsage);
  }
  std::ifstream in(*model_path, std::ios::binary);
  if (!in) return FileError("publish", absl::NotFoundError("cannot read " + *model_path));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Never publish what a replica would refuse.
  absl::StatusOr<IntentModel> model = IntentModel::FromBytes(bytes);
  if (!model.ok()) return FileError("publish", model.status());
  auto conn = Connect(*args);
  if (!conn.ok()) return FileError("publish", conn.status());
  auto version = PublishModelBytes(**conn, tenant, bytes, static_cast<int>(*keep));
  if (!version.ok()) return FileError("publish", version.status());
  std::printf("published %s as version %s%s (%zu labels, %zu bytes)\n", model_path->c_str(),
              version->c_str(), tenant.empty() ? " (global)" : (" for tenant " + tenant).c_str(),
              model->labels().size(), bytes.size());
  return 0;
}

int RunModels(const std::vector<std::string>& argv, bool unpublish) {
  const char* name = unpublish ? "unpublish" : "models";
  absl::StatusOr<Args> args =
      Args::Parse(argv, {"tenant", "redis-url", "redis-host", "redis-port"}, {});
  if (!args.ok()) return UsageError(name, args.status(), kPublishUsage);
  absl::StatusOr<std::string> tenant = args->Required("tenant");
  if (!tenant.ok()) return UsageError(name, tenant.status(), kPublishUsage);
  if (auto st = ValidateTenantId("--tenant", *tenant); !st.ok()) {
    return UsageError(name, st, kPublishUsage);
  }
  if (absl::StatusOr<redis::Endpoint> e = RedisTarget(*args); !e.ok()) {
    return UsageError(name, e.status(), kPublishUsage);
  }
  auto conn = Connect(*args);
  if (!conn.ok()) return FileError(name, conn.status());
  if (unpublish) {
    if (auto st = classification::UnpublishTenantModel(**conn, *tenant); !st.ok()) {
      return FileError(name, st);
    }
    std::printf("tenant %s is served by the global model again (its versions are kept)\n",
                tenant->c_str());
    return 0;
  }
  auto kept = classification::ListTenantModels(**conn, *tenant);
  if (!kept.ok()) return FileError(name, kept.status());
  if (kept->empty()) std::printf("tenant %s has no model of its own\n", tenant->c_str());
  for (const auto& k : *kept) {
    std::printf("%s  published %s  %lld bytes%s\n", k.version.c_str(),
                absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(k.published_ms),
                                 absl::UTCTimeZone())
                    .c_str(),
                static_cast<long long>(k.bytes), k.serving ? "  (serving)" : "");
  }
  return 0;
}

}  // namespace omniroute::model_cli
