// TLS helpers of the e2e tests: certificates made with scripts/tls-certs.sh (openssl) and a
// TCP probe that does not speak TLS.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_process.h"
#include "tests/support/free_port.h"
#include "tests/support/process.h"

namespace omniroute::e2e {

// True when 127.0.0.1:port accepts a TCP connection.
inline bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

// Waits up to `seconds` until 127.0.0.1:port accepts connections; false at once when `p` exits.
inline bool WaitAccepts(testing::Process& p, int port, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline && p.Running()) {
    if (Accepts(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Runs scripts/tls-certs.sh with `args` (see the script); fails the test when it fails.
inline void Certs(const std::string& args) {
  std::string cmd = std::string(OMNIROUTE_SOURCE_DIR) + "/scripts/tls-certs.sh " + args;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// Starts omniroute-<service> with `flags` plus Redis, loopback and free ports (the gRPC one in
// *port); returns once the gRPC port accepts TCP connections (null, with a test failure, when
// it does not within 20 s). Its log is <dir>/<service>.log.
inline std::unique_ptr<testing::Process> StartService(const std::string& service,
                                                      std::vector<std::string> flags,
                                                      const std::string& redis_url,
                                                      const std::string& dir, int* port) {
  *port = testing::FreePort();
  // The caller's flags come last, so they win over these defaults.
  flags.insert(flags.begin(), {"--redis-url=" + redis_url, "--bind=127.0.0.1",
                               "--grpc-port=" + std::to_string(*port),
                               "--metrics-port=" + std::to_string(testing::FreePort()),
                               "--http-port=" + std::to_string(testing::FreePort())});
  auto p = std::make_unique<testing::Process>(testing::BinDir() + "/omniroute-" + service, flags,
                                              dir + "/" + service + ".log");
  if (WaitAccepts(*p, *port, 20)) return p;
  ADD_FAILURE() << service << " did not start: " << p->ReadLog();
  return nullptr;
}

// omniroute-health against 127.0.0.1:port with `flags` (e.g. TLS ones), run until it exits 0 or
// `seconds` have passed (readiness follows Redis); the last run's result.
inline CommandResult HealthWithin(int port, std::vector<std::string> flags, const std::string& dir,
                                  int seconds) {
  flags.insert(flags.begin(), {testing::BinDir() + "/omniroute-health",
                               "--addr=127.0.0.1:" + std::to_string(port)});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  CommandResult r;
  while ((r = RunCommand(flags, {}, "", dir)).code != 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return r;
}

}  // namespace omniroute::e2e
