#pragma once

#include <memory>
#include <string>
#include <vector>

#include "services/common/redis/redis_client.h"
#include "tests/support/process.h"

namespace omniroute::testing {

// A private redis-server on a free loopback port with its data in a temporary directory.
class RedisServer {
 public:
  // appendonly: AOF with appendfsync always (for durability tests); extra_args are passed to
  // redis-server after the defaults (e.g. {"--cluster-enabled", "yes"}).
  explicit RedisServer(bool appendonly = false, std::vector<std::string> extra_args = {});
  ~RedisServer();

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  redis::Endpoint endpoint() const;
  // A new connection to it.
  std::unique_ptr<redis::Connection> Connect() const;
  void FlushAll() const;
  // Kills the server (SIGKILL) and starts it again on the same port and data directory.
  void Restart();
  Process& process() { return *process_; }

 private:
  // Starts redis-server on port_ and waits for PONG (10 s, then throws); false when it exited
  // at once (e.g. the port was taken).
  bool Start();

  bool appendonly_;
  std::vector<std::string> extra_args_;
  int port_;
  std::string dir_;
  std::unique_ptr<Process> process_;
};

}  // namespace omniroute::testing
