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

// GetQueueStats counts available agents per channel: a chat slot blocked by a call is not
// available, and a queue taking chat and email with chats waiting and only email slots free has
// nobody available for its waiting work.
TEST_F(CrossChannelTest, QueueStatsCountAvailableAgentsPerChannel) {
  auto chat_free = [&] {
    auto s = engine_->QueueStats(kTenant, "chat");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() && s->channels_size() == 1 ? s->channels(0).available_agents() : -1;
  };
  EXPECT_EQ(chat_free(), 1);
  std::string call = Call();
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", call).ok());
  EXPECT_EQ(chat_free(), 0) << "ann's chat slots are blocked by her call";
  ASSERT_TRUE(engine_->Complete(kTenant, "ann", call).ok());
  EXPECT_EQ(chat_free(), 1);

  AddQueue("billing", {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL});
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_VOICE, 1}}).ok());  // voice only now
  ASSERT_TRUE(Login("eve", {{v1::CHANNEL_EMAIL, 2}}).ok());
  ASSERT_TRUE(Login("eli", {{v1::CHANNEL_EMAIL, 1}}).ok());
  auto idle = engine_->QueueStats(kTenant, "billing");
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->available_agents(), 2) << "nothing waits: the most free on any channel";
  for (int i = 0; i < 3; ++i) {
    std::string id = SubmitAndRoute(Chat("where is my refund", 0, "billing"));
    ASSERT_EQ(State(id), "queued") << "offered to " << OfferedTo(id);
  }
  auto stats = engine_->QueueStats(kTenant, "billing");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->waiting(), 3);
  EXPECT_EQ(stats->available_agents(), 0) << "free email slots cannot take waiting chats";
  ASSERT_EQ(stats->channels_size(), 2);
  EXPECT_EQ(stats->channels(0).channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(stats->channels(0).waiting(), 3);
  EXPECT_EQ(stats->channels(0).available_agents(), 0);
  EXPECT_EQ(stats->channels(0).oldest_wait_ms(), stats->oldest_wait_ms());
  EXPECT_EQ(stats->channels(1).channel(), v1::CHANNEL_EMAIL);
  EXPECT_EQ(stats->channels(1).waiting(), 0);
  EXPECT_EQ(stats->channels(1).available_agents(), 2);
}
}  // namespace
}  // namespace omniroute
