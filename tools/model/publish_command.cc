// omniroute-model publish: checks a model file and makes every classification replica serve it.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model_store.h"
#include "services/common/redis/redis_client.h"
#include "tools/model/args.h"
#include "tools/model/commands.h"
#include "tools/model/redis_target.h"

namespace omniroute::model_cli {

using classification::model::IntentModel;

const char kPublishUsage[] =
    "usage: omniroute-model publish --model MODEL [--redis-url URL | --redis-host H "
    "--redis-port P]\n"
    "  (Redis: --redis-url, else OMNIROUTE_REDIS_URL, else --redis-host/--redis-port)\n"
    "  checks the model, then makes every classification replica serve it within a second\n"
    "  (Redis hash omniroute:model: version = CRC-32 and size of the file, bytes)\n";

int RunPublish(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args =
      Args::Parse(argv, {"model", "redis-url", "redis-host", "redis-port"}, {});
  if (!args.ok()) return UsageError("publish", args.status(), kPublishUsage);
  absl::StatusOr<std::string> model_path = args->Required("model");
  if (!model_path.ok()) return UsageError("publish", model_path.status(), kPublishUsage);
  absl::StatusOr<redis::Endpoint> endpoint = RedisTarget(*args);
  if (!endpoint.ok()) return UsageError("publish", endpoint.status(), kPublishUsage);
  std::ifstream in(*model_path, std::ios::binary);
  if (!in) return FileError("publish", absl::NotFoundError("cannot read " + *model_path));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Never publish what a replica would refuse.
  absl::StatusOr<IntentModel> model = IntentModel::FromBytes(bytes);
  if (!model.ok()) return FileError("publish", model.status());
  auto conn = redis::Connection::Open(*endpoint, std::chrono::milliseconds(5000));
  if (!conn.ok()) return FileError("publish", conn.status());
  std::string version =
      absl::StrFormat("%08x-%zu", classification::model::Crc32(bytes), bytes.size());
  auto r =
      (*conn)->Command({"HSET", classification::kPublishedModelKey, "version", version, "bytes",
                        bytes, "published_ms", std::to_string(absl::ToUnixMillis(absl::Now()))});
  if (!r.ok() || r->is_error()) {
    return FileError("publish", r.ok() ? absl::InternalError(r->str) : r.status());
  }
  std::printf("published %s as version %s (%zu labels, %zu bytes)\n", model_path->c_str(),
              version.c_str(), model->labels().size(), bytes.size());
  return 0;
}

}  // namespace omniroute::model_cli
