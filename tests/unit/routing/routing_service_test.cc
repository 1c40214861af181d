#include "services/routing/routing_service.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace omniroute::routing {
namespace {

TEST(IsStreamIdTest, AcceptsMillisecondsDashSequenceOnly) {
  for (const std::string& good :
       std::vector<std::string>{"0-0", "1700000000000-0", "1700000000000-42",
                                "18446744073709551615-18446744073709551615"}) {
    EXPECT_TRUE(IsStreamId(good)) << good;
  }
  for (const std::string& bad : std::vector<std::string>{
           "", "-", "0", "1700000000000", "-1", "1-", "1-2-3", "a-1", "1-b", "1 -2", "$", ">", "+",
           "1700000000000-*", std::string(21, '1') + "-" + std::string(20, '1')}) {
    EXPECT_FALSE(IsStreamId(bad)) << bad;
  }
}

}  // namespace
}  // namespace omniroute::routing
