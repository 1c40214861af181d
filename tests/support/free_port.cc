#include "tests/support/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

namespace omniroute::testing {
namespace {

// Binds 127.0.0.1:`port` (0 = the kernel picks) and returns the port bound, or 0.
int TryBind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  int bound = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    bound = ntohs(addr.sin_port);
  }
  close(fd);
  return bound;
}

// The low end of the kernel's ephemeral port range (client sockets take their ports there).
int EphemeralLow() {
  std::ifstream f("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0, high = 0;
  if (f >> low >> high && low > 21000) return low;
  return 0;
}

}  // namespace

int FreePort() {
  // A port below the ephemeral range: a port the kernel handed out by bind(0) lies inside it,
  // where any test's client connection may take it before the server binds it.
  static thread_local std::mt19937 rng(std::random_device{}());
  if (int low = EphemeralLow(); low > 0) {
    std::uniform_int_distribution<int> pick(20000, low - 1);
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (int port = TryBind(pick(rng)); port != 0) return port;
    }
  }
  int port = TryBind(0);
  if (port == 0) throw std::runtime_error("bind failed");
  return port;
}

}  // namespace omniroute::testing
