#pragma once

#include <sys/socket.h>

#include <string>

namespace omniroute::webhooks {

// Where webhook deliveries may connect (the SSRF guard). Public unicast addresses always;
// loopback and private networks (RFC 1918, 100.64/10, IPv6 unique-local fc00::/7) only when
// allowed; link-local (169.254/16 with the clouds' metadata endpoints, fe80::/10), unspecified,
// multicast, documentation, benchmarking and reserved ranges never. IPv4-mapped and NAT64 IPv6
// addresses are judged by the IPv4 address they carry.
struct AddressPolicy {
  bool allow_loopback = false;
  bool allow_private = false;
};

// "" when `addr` may be connected to under `policy`, else why not (e.g. "127.0.0.1 is a
// loopback address").
std::string BlockedReason(const sockaddr* addr, const AddressPolicy& policy);

}  // namespace omniroute::webhooks
