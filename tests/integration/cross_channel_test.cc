// Cross-channel capacity: voice (or the configured exclusive channels) is worked alone.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class CrossChannelTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("voice", {v1::CHANNEL_VOICE});
    AddQueue("chat", {v1::CHANNEL_CHAT});
    ASSERT_TRUE(Login("ann", {{v1::CHANNEL_VOICE, 1}, {v1::CHANNEL_CHAT, 3}}).ok());
  }
  std::string Call() {
    intake::Submission s;
    s.channel = v1::CHANNEL_VOICE;
    s.queue = "voice";
    return SubmitAndRoute(s);
  }
};

TEST_F(CrossChannelTest, AnAgentOnACallGetsNoChatsAndAnAgentChattingGetsNoCall) {
  std::string call = Call();
  ASSERT_EQ(OfferedTo(call), "ann");
  std::string chat = SubmitAndRoute(Chat("hi", 0, "chat"));
  EXPECT_EQ(State(chat), "queued");  // chat capacity is free, but she is on a call
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", call).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "ann", call).ok());
  EXPECT_EQ(OfferedTo(chat), "ann");
  // Now chatting: a call waits, more chats do not.
  std::string call2 = Call();
  EXPECT_EQ(State(call2), "queued");
  std::string chat2 = SubmitAndRoute(Chat("hi again", 0, "chat"));
  EXPECT_EQ(OfferedTo(chat2), "ann");
  ASSERT_TRUE(engine_->Reject(kTenant, "ann", chat, "x").ok());
  ASSERT_TRUE(engine_->Reject(kTenant, "ann", chat2, "x").ok());
  EXPECT_EQ(OfferedTo(call2), "ann");  // free of chats: the call goes to her
}

TEST_F(CrossChannelTest, WithNoExclusiveChannelsCallsAndChatsMix) {
  v1::TenantConfig c;
  c.add_exclusive_channels(v1::CHANNEL_UNSPECIFIED);
  SetConfig(c);
  std::string call = Call();
  std::string chat = SubmitAndRoute(Chat("hi", 0, "chat"));
  EXPECT_EQ(OfferedTo(call), "ann");
  EXPECT_EQ(OfferedTo(chat), "ann");
}

}  // namespace
}  // namespace omniroute
