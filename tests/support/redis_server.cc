#include "tests/support/redis_server.h"

#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/support/free_port.h"

namespace omniroute::testing {

RedisServer::RedisServer(bool appendonly, std::vector<std::string> extra_args)
    : appendonly_(appendonly),
      extra_args_(std::move(extra_args)),
      port_(FreePort()),
      dir_(MakeTempDir("omniroute-redis")) {
  // A redis-server that exits at once most likely lost its port to another test between
  // FreePort and its bind: try again on a new port (bounded).
  for (int attempt = 1; !Start(); ++attempt) {
    if (attempt == 3)
      throw std::runtime_error("redis-server exited at start; log: " + process_->ReadLog());
    process_->Wait(1000);
    port_ = FreePort();
  }
}

RedisServer::~RedisServer() {
  if (process_) {
    process_->Signal(SIGKILL);
    process_->Wait(5000);
  }
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

bool RedisServer::Start() {
  std::vector<std::string> args = {
      "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_, "--save",
      "",       "--daemonize",         "no",     "--logfile", ""};
  if (appendonly_) {
    args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  } else {
    args.insert(args.end(), {"--appendonly", "no"});
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<Process>("/usr/bin/redis-server", args, dir_ + "/redis.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    auto conn = redis::Connection::Open(endpoint(), std::chrono::milliseconds(200));
    if (conn.ok()) {
      auto r = (*conn)->Command({"PING"});
      if (r.ok() && r->str == "PONG") return true;
    }
    if (!process_->Running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("redis-server did not start; log: " + process_->ReadLog());
}

redis::Endpoint RedisServer::endpoint() const {
  redis::Endpoint e;
  e.host = "127.0.0.1";
  e.port = port_;
  return e;
}

std::unique_ptr<redis::Connection> RedisServer::Connect() const {
  auto conn = redis::Connection::Open(endpoint(), std::chrono::milliseconds(5000));
  if (!conn.ok()) throw std::runtime_error(std::string(conn.status().message()));
  return std::move(*conn);
}

void RedisServer::FlushAll() const {
  auto conn = Connect();
  (void)conn->Command({"FLUSHALL"});
  (void)conn->Command({"SCRIPT", "FLUSH"});
}

void RedisServer::Restart() {
  process_->Signal(SIGKILL);
  process_->Wait(5000);
  if (!Start())
    throw std::runtime_error("redis-server exited at restart; log: " + process_->ReadLog());
}

}  // namespace omniroute::testing
