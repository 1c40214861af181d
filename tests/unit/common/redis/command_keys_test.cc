// Which hash slot a command is sent to on a Redis Cluster (pure logic: the slots come from
// KeySlot, whose CRC16 is checked against a real Redis in the integration tests).
#include "services/common/redis/command_keys.h"

#include <gtest/gtest.h>

#include "services/common/redis/key_slot.h"

namespace omniroute::redis {
namespace {

const std::string kA = "{t:acme}:ix:1";
const std::string kA2 = "{t:acme}:events";
const std::string kB = "{t:globex}:ix:1";

TEST(CommandSlotTest, SingleKeyCommandsUseTheirFirstArgument) {
  EXPECT_EQ(CommandSlot({"HGET", kA, "state"}), KeySlot(kA));
  EXPECT_EQ(CommandSlot({"xadd", kB, "*", "ix", "1"}), KeySlot(kB));  // any case
  EXPECT_EQ(CommandSlot({"XINFO", "GROUPS", kA}), KeySlot(kA));       // after the subcommand
  EXPECT_EQ(CommandSlot({"XGROUP", "CREATE", kB, "g", "0"}), KeySlot(kB));
}

TEST(CommandSlotTest, ScriptsUseTheirDeclaredKeysOnly) {
  EXPECT_EQ(CommandSlot({"FCALL", "fn", "2", kA, kA2, kB}), KeySlot(kA));  // kB is an argument
  EXPECT_EQ(CommandSlot({"EVALSHA", "abc", "0", kA}), kNoKeySlot);
  EXPECT_EQ(CommandSlot({"FCALL", "fn", "2", kA, kB}), kCrossSlot);
  EXPECT_EQ(CommandSlot({"FCALL", "fn", "x", kA}), kNoKeySlot);  // not a number: no keys known
}

TEST(CommandSlotTest, StreamReadsUseTheKeysAfterStreams) {
  EXPECT_EQ(
      CommandSlot({"XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", kA, kA2, ">", ">"}),
      KeySlot(kA));
  EXPECT_EQ(CommandSlot({"XREAD", "BLOCK", "5", "STREAMS", kA, kB, "0", "0"}), kCrossSlot);
}

TEST(CommandSlotTest, MultiKeyCommandsMustStayInOneSlot) {
  EXPECT_EQ(CommandSlot({"DEL", kA, kA2}), KeySlot(kA));
  EXPECT_EQ(CommandSlot({"EXISTS", kA, kB}), kCrossSlot);
  EXPECT_EQ(CommandSlot({"MSET", kA, "1", kA2, "2"}), KeySlot(kA));
  EXPECT_EQ(CommandSlot({"MSET", kA, kB, kA2, "2"}), KeySlot(kA));  // kB is a value
}

TEST(CommandSlotTest, ServerCommandsNameNoKeyButATaggedKeysPatternDoes) {
  for (const auto& cmd : std::vector<std::vector<std::string>>{{"PING"},
                                                               {"INFO", "cpu"},
                                                               {"CLUSTER", "SLOTS"},
                                                               {"FUNCTION", "LOAD", "code"},
                                                               {"WAIT", "1", "100"},
                                                               {"SCAN", "0", "MATCH", "x*"}}) {
    EXPECT_EQ(CommandSlot(cmd), kNoKeySlot) << cmd[0];
  }
  EXPECT_EQ(CommandSlot({"KEYS", "{t:acme}:ix:*"}), KeySlot(kA));
  EXPECT_EQ(CommandSlot({"KEYS", "{t:*}:ix:*"}), kNoKeySlot);  // a wildcard inside the tag
  EXPECT_EQ(CommandSlot({"KEYS", "omniroute:*"}), kNoKeySlot);
}

}  // namespace
}  // namespace omniroute::redis
