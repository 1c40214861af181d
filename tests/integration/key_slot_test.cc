// The hash slot of a key as Redis Cluster computes it: known values, hash tag rules, and the
// answer of a real redis-server in cluster mode (CLUSTER KEYSLOT) for many keys.
#include "services/common/redis/key_slot.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/support/free_port.h"
#include "tests/support/redis_server.h"

namespace omniroute::redis {
namespace {

TEST(KeySlotTest, KnownValuesAndHashTags) {
  EXPECT_EQ(Crc16("123456789"), 0x31C3);  // the CRC16/XMODEM check value
  EXPECT_EQ(KeySlot("foo"), 12182);       // Redis's documentation of CLUSTER KEYSLOT
  EXPECT_EQ(KeySlot("somekey"), 11058);
  // Only the tag is hashed: a tenant's keys share a slot.
  EXPECT_EQ(KeySlot("{t:acme}:ix:42"), KeySlot("t:acme"));
  EXPECT_EQ(KeySlot("{t:acme}:events"), KeySlot("{t:acme}:ag:agent-1"));
  // The first '{' and the next '}'; an empty tag hashes the whole key.
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), KeySlot("bar"));
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  EXPECT_EQ(KeySlot("foo{}{bar}"), Crc16("foo{}{bar}") % kClusterSlots);
  EXPECT_EQ(KeySlot("foo{bar"), Crc16("foo{bar") % kClusterSlots);
  EXPECT_EQ(KeySlot(""), 0);
}

TEST(KeySlotTest, AgreesWithARealRedisClusterNode) {
  // Its cluster bus on a free port (the default, port + 10000, may be taken or past 65535).
  testing::RedisServer server(
      false, {"--cluster-enabled", "yes", "--cluster-port", std::to_string(testing::FreePort())});
  auto conn = server.Connect();
  std::mt19937 rng(7);
  std::vector<std::string> keys = {"{t:acme}:ix:1", "{t:demo}:events", "{}", "{{}}", "}{", "a{b}"};
  for (int i = 0; i < 500; ++i) {
    std::string key;
    int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) {
      // Bytes of every value, with braces common enough to exercise the tag rules.
      unsigned r = rng() % 10;
      key.push_back(r == 0 ? '{' : r == 1 ? '}' : static_cast<char>(rng() % 256));
    }
    keys.push_back(key);
  }
  for (const auto& key : keys) {
    auto reply = conn->Command({"CLUSTER", "KEYSLOT", key});
    ASSERT_TRUE(reply.ok()) << reply.status();
    ASSERT_FALSE(reply->is_error()) << reply->str;
    EXPECT_EQ(KeySlot(key), reply->integer) << "key bytes: " << key.size();
  }
}

}  // namespace
}  // namespace omniroute::redis
