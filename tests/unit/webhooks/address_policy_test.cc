#include "services/webhooks/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>

namespace omniroute::webhooks {
namespace {

std::string Reason(const std::string& ip, AddressPolicy policy = {}) {
  sockaddr_storage s{};
  if (ip.find(':') == std::string::npos) {
    auto* in = reinterpret_cast<sockaddr_in*>(&s);
    in->sin_family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, ip.c_str(), &in->sin_addr), 1) << ip;
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&s);
    in6->sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr), 1) << ip;
  }
  return BlockedReason(reinterpret_cast<sockaddr*>(&s), policy);
}

TEST(AddressPolicyTest, PublicAddressesPass) {
  for (const char* ip :
       {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"}) {
    EXPECT_EQ(Reason(ip), "") << ip;
  }
}

TEST(AddressPolicyTest, LoopbackAndPrivateOnlyWhenAllowed) {
  for (const char* ip : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_NE(Reason(ip).find("loopback"), std::string::npos) << ip;
    EXPECT_EQ(Reason(ip, {.allow_loopback = true}), "") << ip;
    EXPECT_NE(Reason(ip, {.allow_private = true}), "") << ip;
  }
  for (const char* ip : {"10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                         "fd12:3456::1", "::ffff:10.1.1.1", "64:ff9b::a00:1"}) {
    EXPECT_NE(Reason(ip).find("private"), std::string::npos) << ip;
    EXPECT_EQ(Reason(ip, {.allow_private = true}), "") << ip;
    EXPECT_NE(Reason(ip, {.allow_loopback = true}), "") << ip;
  }
}

TEST(AddressPolicyTest, LinkLocalMetadataAndReservedNever) {
  AddressPolicy all{.allow_loopback = true, .allow_private = true};
  for (const char* ip : {"169.254.169.254", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255",
                         "240.0.0.1", "192.0.2.1", "198.18.0.1", "::", "fe80::1", "ff02::1",
                         "2001:db8::1", "::ffff:169.254.169.254", "fec0::1"}) {
    EXPECT_NE(Reason(ip, all), "") << ip;
  }
  EXPECT_EQ(Reason("169.254.169.254"),
            "169.254.169.254 is a link-local, multicast or reserved "
            "address");
}

}  // namespace
}  // namespace omniroute::webhooks
