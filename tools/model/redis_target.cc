#include "tools/model/redis_target.h"

#include <cstdlib>

namespace omniroute::model_cli {

absl::StatusOr<redis::Endpoint> RedisTarget(const Args& args) {
  bool host_port = args.Has("redis-host") || args.Has("redis-port");
  if (args.Has("redis-url")) {
    if (host_port) {
      return absl::InvalidArgumentError(
          "--redis-url: give either --redis-url or --redis-host/--redis-port, not both");
    }
    auto endpoint = redis::ParseUrl(args.String("redis-url"));
    if (!endpoint.ok())
      return absl::InvalidArgumentError("--redis-url: " + std::string(endpoint.status().message()));
    return endpoint;
  }
  const char* env = std::getenv("OMNIROUTE_REDIS_URL");
  if (env != nullptr && *env != '\0' && !host_port) {
    auto endpoint = redis::ParseUrl(env);
    if (!endpoint.ok()) {
      return absl::InvalidArgumentError("OMNIROUTE_REDIS_URL: " +
                                        std::string(endpoint.status().message()));
    }
    return endpoint;
  }
  absl::StatusOr<int64_t> port = args.Int("redis-port", 6379, 1, 65535);
  if (!port.ok()) return port.status();
  redis::Endpoint endpoint;
  endpoint.host = args.String("redis-host", "127.0.0.1");
  endpoint.port = static_cast<int>(*port);
  return endpoint;
}

}  // namespace omniroute::model_cli
