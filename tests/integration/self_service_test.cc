// Tier-0 deflection: self-service eligible work goes to the tenant's self-service (bot) queue
// first; EscalateInteraction moves the same interaction, with the bot's context, to its human
// queue; completions in the bot queue count as deflected, escalations as escalated.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class SelfServiceTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    // Only bots hold the "bot" skill, so human agents never serve the self-service queue.
    AddQueue("bot", {v1::CHANNEL_CHAT}, {{"bot", 1}});
    AddQueue("support", {v1::CHANNEL_CHAT, v1::CHANNEL_VOICE});
    v1::TenantConfig c;
    c.set_default_queue("support");
    c.set_self_service_queue("bot");
    auto* rule = c.add_rules();
    rule->set_name("password-reset");
    rule->set_category("password");
    rule->add_patterns(R"(reset\s+my\s+password)");
    rule->set_self_service(true);
    rule->set_queue("support");
    auto* skill = rule->add_required_skills();
    skill->set_name("security");
    skill->set_proficiency(2);
    SetConfig(c);
    clock_.Advance(1000);
  }

  static intake::Submission ResetChat(const std::string& customer = "") {
    intake::Submission s = Chat("please reset my password");
    s.customer_id = customer;
    return s;
  }

  void LoginBot() { ASSERT_TRUE(Login("bot-1", {{v1::CHANNEL_CHAT, 10}}, {{"bot", 1}}).ok()); }
  void LoginHuman() {
    ASSERT_TRUE(
        Login("ann", {{v1::CHANNEL_CHAT, 1}, {v1::CHANNEL_VOICE, 1}}, {{"security", 3}}).ok());
  }
};

TEST_F(SelfServiceTest, EscalatedWorkLeavesTheBotAndReachesAHumanWithItsContext) {
  LoginBot();
  LoginHuman();
  std::string id = SubmitAndRoute(ResetChat("cust-1"));
  EXPECT_EQ(HGet(keys_.Interaction(id), "queue"), "bot");
  EXPECT_EQ(OfferedTo(id), "bot-1") << "deflected work goes to the bot, not the free human";
  ASSERT_TRUE(engine_->Accept(kTenant, "bot-1", id).ok());
  clock_.Advance(30000);

  auto r = engine_->Escalate(kTenant, "bot-1", id, "customer asked for a person",
                             {{"verified", "yes"}, {"summary", "locked out after 3 tries"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, "queued");
  EXPECT_EQ(r->queue, "support");
  EXPECT_EQ(OfferedTo(id), "ann") << "the human queue's skills (security 2) apply now";
  EXPECT_EQ(Load("bot-1", v1::CHANNEL_CHAT), "0") << "the bot is freed";
  EXPECT_EQ(HGet(keys_.QueueStats("bot"), "escalated"), "1");
  EXPECT_EQ(HGet(keys_.QueueStats("bot"), "inflight"), "0");
  EXPECT_EQ(HGet(keys_.QueueStats("bot"), "deflected"), "");

  auto ix = store_->Get(kTenant, id);
  ASSERT_TRUE(ix.ok()) << ix.status();
  EXPECT_EQ(ix->interaction_id(), id) << "the same interaction, not a new one";
  EXPECT_EQ(ix->escalation().from_queue(), "bot");
  EXPECT_EQ(ix->escalation().to_queue(), "support");
  EXPECT_EQ(ix->escalation().by_agent_id(), "bot-1");
  EXPECT_EQ(ix->escalation().at_ms(), clock_.NowMs());
  EXPECT_EQ(ix->escalation().reason(), "customer asked for a person");
  EXPECT_EQ(ix->escalation().context().at("verified"), "yes");
  EXPECT_EQ(ix->escalation().context().at("summary"), "locked out after 3 tries");
  EXPECT_EQ(ix->classification().escalation_queue(), "support");
  ASSERT_EQ(ix->classification().required_skills_size(), 1);
  EXPECT_EQ(ix->classification().required_skills(0).name(), "security");
  auto types = EventTypes(id);
  EXPECT_NE(std::find(types.begin(), types.end(), "escalated"), types.end());

  // The human serves it; the bot was never remembered as the customer's agent.
  ASSERT_TRUE(engine_->Accept(kTenant, "ann", id).ok());
  EXPECT_EQ(HGet(keys_.prefix() + ":cust:cust-1", "agent"), "ann");
  auto again = engine_->Escalate(kTenant, "ann", id, "", {});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("already escalated"), std::string::npos)
      << again.status();
  auto done = engine_->Complete(kTenant, "ann", id);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_FALSE(done->deflected) << "resolved by a human: not deflected";
}

TEST_F(SelfServiceTest, WorkTheBotCompletesCountsAsDeflectedAndLeavesNoLastAgent) {
  LoginBot();
  std::string id = SubmitAndRoute(ResetChat("cust-2"));
  ASSERT_TRUE(engine_->Accept(kTenant, "bot-1", id).ok());
  auto done = engine_->Complete(kTenant, "bot-1", id);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(done->deflected);
  EXPECT_EQ(done->queue, "bot");
  EXPECT_EQ(HGet(keys_.QueueStats("bot"), "deflected"), "1");
  EXPECT_EQ(HGet(keys_.QueueStats("bot"), "escalated"), "");
  EXPECT_EQ(HGet(keys_.prefix() + ":cust:cust-2", "agent"), "");
  auto stats = engine_->QueueStats(kTenant, "bot");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->deflected(), 1);
  EXPECT_EQ(stats->escalated(), 0);
  EXPECT_EQ(stats->completed(), 1);
}

TEST_F(SelfServiceTest, WorkStillWaitingForABotCanBeEscalatedWithoutAnAgent) {
  v1::Queue bot = MakeQueue("bot", {v1::CHANNEL_CHAT}, {{"bot", 1}});
  bot.set_max_wait_seconds(60);
  ASSERT_TRUE(engine_->PutQueue(kTenant, bot).ok());
  std::string id = SubmitAndRoute(ResetChat());
  EXPECT_EQ(State(id), "queued");
  EXPECT_TRUE(ZScore(keys_.prefix() + ":maxwait", id).has_value());
  // No bot is free and the customer asks for a person: the integrator escalates it.
  auto held = engine_->Escalate(kTenant, "bot-1", id, "", {});
  EXPECT_EQ(held.status().code(), absl::StatusCode::kFailedPrecondition) << "nobody holds it";
  auto r = engine_->Escalate(kTenant, "", id, "asked for a person", {{"lang", "en"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, "queued");
  EXPECT_EQ(HGet(keys_.Interaction(id), "queue"), "support");
  EXPECT_FALSE(ZScore(keys_.prefix() + ":maxwait", id).has_value())
      << "the bot queue's max wait must not follow it";
  auto bot_stats = engine_->QueueStats(kTenant, "bot");
  ASSERT_TRUE(bot_stats.ok());
  EXPECT_EQ(bot_stats->waiting(), 0);
  EXPECT_EQ(bot_stats->escalated(), 1);
  LoginHuman();
  EXPECT_EQ(OfferedTo(id), "ann");
  // Past the bot queue's max wait it is still support's work (Ann's offer lapsed meanwhile).
  clock_.Advance(61000);
  ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  EXPECT_EQ(State(id), "queued") << HGet(keys_.Interaction(id), "end_reason");
  EXPECT_EQ(HGet(keys_.Interaction(id), "queue"), "support");
}

TEST_F(SelfServiceTest, OnlyDeflectedWorkStillInSelfServiceCanBeEscalated) {
  LoginBot();
  std::string plain = SubmitAndRoute(Chat("my invoice is wrong"));
  EXPECT_EQ(HGet(keys_.Interaction(plain), "queue"), "support");
  auto r = engine_->Escalate(kTenant, "", plain, "", {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("was not deflected"), std::string::npos) << r.status();

  std::string id = SubmitAndRoute(ResetChat());
  ASSERT_EQ(OfferedTo(id), "bot-1");
  auto offered = engine_->Escalate(kTenant, "", id, "", {});
  EXPECT_EQ(offered.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(offered.status().message().find("not waiting (state offered)"), std::string::npos)
      << offered.status();
  ASSERT_TRUE(engine_->Accept(kTenant, "bot-1", id).ok());
  auto wrong = engine_->Escalate(kTenant, "bot-2", id, "", {});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(State(id), "assigned") << "a refused escalation changes nothing";
  EXPECT_EQ(HGet(keys_.Interaction(id), "queue"), "bot");
  EXPECT_EQ(engine_->Escalate(kTenant, "", std::string(32, 'a'), "", {}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SelfServiceTest, AChannelTheBotQueueDoesNotTakeGoesStraightToHumans) {
  LoginBot();
  LoginHuman();
  intake::Submission call = ResetChat();
  call.channel = v1::CHANNEL_VOICE;
  std::string id = SubmitAndRoute(call);
  EXPECT_EQ(HGet(keys_.Interaction(id), "queue"), "support");
  EXPECT_EQ(OfferedTo(id), "ann");
  auto types = EventTypes(id);
  EXPECT_NE(std::find(types.begin(), types.end(), "deflection_skipped"), types.end());
  auto r = engine_->Escalate(kTenant, "", id, "", {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace omniroute
