// A private redis-server for a what-if replay: started on a unix socket in a fresh temporary
// directory (no TCP port, no persistence), killed with its directory when this object goes,
// and with its parent process should that die first.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::whatif {

class ScratchRedis {
 public:
  // `binary`: the redis-server to run (a name is looked up in PATH).
  static absl::StatusOr<std::unique_ptr<ScratchRedis>> Start(const std::string& binary);
  ~ScratchRedis();
  ScratchRedis(const ScratchRedis&) = delete;
  ScratchRedis& operator=(const ScratchRedis&) = delete;

  const redis::Endpoint& endpoint() const { return endpoint_; }

 private:
  ScratchRedis(pid_t pid, std::string dir);

  pid_t pid_;
  std::string dir_;
  redis::Endpoint endpoint_;
};

}  // namespace omniroute::whatif
