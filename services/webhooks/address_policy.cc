#include "services/webhooks/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace omniroute::webhooks {
namespace {

enum class Kind { kPublic, kLoopback, kPrivate, kNever };

bool In(uint32_t ip, uint32_t net, int bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (ip & mask) == (net & mask);
}

uint32_t V4(int a, int b, int c, int d) {
  return (static_cast<uint32_t>(a) << 24) | (b << 16) | (c << 8) | d;
}

Kind ClassifyV4(uint32_t ip) {
  if (In(ip, V4(127, 0, 0, 0), 8)) return Kind::kLoopback;
  if (In(ip, V4(10, 0, 0, 0), 8) || In(ip, V4(172, 16, 0, 0), 12) ||
      In(ip, V4(192, 168, 0, 0), 16) || In(ip, V4(100, 64, 0, 0), 10)) {
    return Kind::kPrivate;
  }
  if (In(ip, V4(0, 0, 0, 0), 8) || In(ip, V4(169, 254, 0, 0), 16) || In(ip, V4(192, 0, 0, 0), 24) ||
      In(ip, V4(192, 0, 2, 0), 24) || In(ip, V4(198, 18, 0, 0), 15) ||
      In(ip, V4(198, 51, 100, 0), 24) || In(ip, V4(203, 0, 113, 0), 24) ||
      In(ip, V4(224, 0, 0, 0), 4) || In(ip, V4(240, 0, 0, 0), 4)) {
    return Kind::kNever;
  }
  return Kind::kPublic;
}

Kind ClassifyV6(const uint8_t* a) {
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(a, kMapped, 12) == 0 || std::memcmp(a, kNat64, 12) == 0) {
    return ClassifyV4(V4(a[12], a[13], a[14], a[15]));
  }
  static const uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(a, kLoopback, 16) == 0) return Kind::kLoopback;
  if ((a[0] & 0xfe) == 0xfc) return Kind::kPrivate;  // fc00::/7 unique local
  if (a[0] == 0 ||                                   // ::/8: unspecified, IPv4-compatible ...
      (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||     // fe80::/10 link-local
      (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) ||     // fec0::/10 site-local (deprecated)
      a[0] == 0xff ||                                // multicast
      (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) ||           // documentation
      (a[0] == 0x01 && a[1] == 0x00 && std::memcmp(a + 2, kLoopback, 6) == 0)) {  // 100::/64
    return Kind::kNever;
  }
  return Kind::kPublic;
}

}  // namespace

std::string BlockedReason(const sockaddr* addr, const AddressPolicy& policy) {
  char text[INET6_ADDRSTRLEN] = "?";
  Kind kind = Kind::kNever;
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    kind = ClassifyV4(ntohl(in->sin_addr.s_addr));
  } else if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    kind = ClassifyV6(in6->sin6_addr.s6_addr);
  } else {
    return "not an IP address";
  }
  switch (kind) {
    case Kind::kPublic:
      return "";
    case Kind::kLoopback:
      return policy.allow_loopback ? "" : absl::StrCat(text, " is a loopback address");
    case Kind::kPrivate:
      return policy.allow_private ? "" : absl::StrCat(text, " is a private-network address");
    case Kind::kNever:
      break;
  }
  return absl::StrCat(text, " is a link-local, multicast or reserved address");
}

}  // namespace omniroute::webhooks
