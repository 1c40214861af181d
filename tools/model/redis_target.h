#pragma once

#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"
#include "tools/model/args.h"

namespace omniroute::model_cli {

// The Redis a subcommand talks to, as the services find theirs: --redis-url
// (redis://[:password@]host:port[/db] or unix:///path), else the environment variable
// OMNIROUTE_REDIS_URL, else --redis-host/--redis-port (127.0.0.1:6379 by default). Giving
// --redis-url together with --redis-host or --redis-port is an error naming them.
absl::StatusOr<redis::Endpoint> RedisTarget(const Args& args);

}  // namespace omniroute::model_cli
