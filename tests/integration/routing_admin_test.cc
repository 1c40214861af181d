// Skills, eligibility indexes and queue administration against a real Redis.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class SkillsTest : public RedisFixture {
 protected:
  // Work mentioning "hallo" needs German at level 2; everything goes to "general".
  void GermanNeedsGerman() {
    v1::TenantConfig c;
    c.set_default_queue("general");
    auto* rule = c.add_rules();
    rule->set_name("german");
    rule->add_keywords("hallo");
    rule->set_category("de");
    auto* s = rule->add_required_skills();
    s->set_name("german");
    s->set_proficiency(2);
    SetConfig(c);
  }
};

TEST_F(SkillsTest, AgentBelowTheQueueProficiencyIsNotEligibleUntilTheSkillRises) {
  AddQueue("billing", {v1::CHANNEL_CHAT}, {{"billing", 3}});
  AddQueue("general", {v1::CHANNEL_CHAT});
  std::string id = SubmitAndRoute(Chat("invoice question", 0, "billing"));
  ASSERT_EQ(State(id), "queued");

  auto low = Login("alice", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 2}});
  ASSERT_TRUE(low.ok()) << low.status();
  EXPECT_EQ(*low, std::vector<std::string>{"general"});
  EXPECT_EQ(State(id), "queued");
  EXPECT_FALSE(ZScore(keys_.Available("billing", v1::CHANNEL_CHAT), "alice").has_value());
  EXPECT_TRUE(ZScore(keys_.Available("general", v1::CHANNEL_CHAT), "alice").has_value());

  auto high = Login("alice", {}, {{"billing", 4}});
  ASSERT_TRUE(high.ok()) << high.status();
  EXPECT_EQ(*high, (std::vector<std::string>{"billing", "general"}));
  EXPECT_EQ(State(id), "offered");
  EXPECT_EQ(OfferedTo(id), "alice");
  EXPECT_EQ(HGet(keys_.AgentSkills("alice"), "billing"), "4");
  EXPECT_EQ(HGet(keys_.Agent("alice"), "cap:2"), "1");  // capacity kept when not given
}

// New skills replace the old ones everywhere, the copy in the agent's hash (which the routing
// paths read) included; new capacities replace the old ones, channels left out included.
TEST_F(SkillsTest, NewSkillsAndCapacitiesReplaceTheOldOnesInTheAgentsHashToo) {
  AddQueue("general", {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL});
  GermanNeedsGerman();
  ASSERT_TRUE(Login("bert", {{v1::CHANNEL_CHAT, 1}, {v1::CHANNEL_EMAIL, 2}}, {{"german", 3}}).ok());
  EXPECT_EQ(HGet(keys_.Agent("bert"), "sk:german"), "3");
  ASSERT_TRUE(Login("bert", {{v1::CHANNEL_CHAT, 1}}, {{"french", 3}}).ok());
  EXPECT_EQ(HGet(keys_.Agent("bert"), "sk:german"), "") << "a skill he no longer has";
  EXPECT_EQ(HGet(keys_.Agent("bert"), "sk:french"), "3");
  EXPECT_EQ(HGet(keys_.Agent("bert"), "cap:3"), "") << "email capacity he was not given";
  EXPECT_FALSE(ZScore(keys_.Available("general", v1::CHANNEL_EMAIL), "bert").has_value());
  std::string german = SubmitAndRoute(Chat("Hallo, ich brauche Hilfe"));
  EXPECT_EQ(State(german), "queued") << "offered to " << OfferedTo(german);
}

// Logging out answers with no eligible queues: a logged-out agent serves none. Its memberships
// come back with it.
TEST_F(SkillsTest, AnAgentLoggingOutIsEligibleForNoQueue) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  auto in = Login("amy", {{v1::CHANNEL_CHAT, 1}});
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(*in, std::vector<std::string>{"general"});
  auto away = engine_->SetAgentState(kTenant, {"amy", "away", {}, {}});
  ASSERT_TRUE(away.ok()) << away.status();
  EXPECT_EQ(*away, std::vector<std::string>{"general"});
  auto out = engine_->SetAgentState(kTenant, {"amy", "offline", {}, {}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->empty()) << "first of " << out->size() << ": " << (*out)[0];
  auto back = Login("amy", {});
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, std::vector<std::string>{"general"});
}

TEST_F(SkillsTest, SkillsRequiredByAClassificationRuleFilterAgents) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  GermanNeedsGerman();
  // Amy has been idle longest but speaks no German.
  ASSERT_TRUE(Login("amy", {{v1::CHANNEL_CHAT, 1}}).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Login("bert", {{v1::CHANNEL_CHAT, 1}}, {{"german", 3}}).ok());

  std::string german = SubmitAndRoute(Chat("Hallo, ich brauche Hilfe"));
  EXPECT_EQ(HGet(keys_.Interaction(german), "skills"), R"({"german":2})");
  EXPECT_EQ(HGet(keys_.Interaction(german), "rule"), "german");
  EXPECT_EQ(OfferedTo(german), "bert");
  std::string english = SubmitAndRoute(Chat("hello, I need help"));
  EXPECT_EQ(OfferedTo(english), "amy");

  // With only unskilled agents free, the item waits rather than going to the wrong one.
  std::string waiting = SubmitAndRoute(Chat("hallo nochmal"));
  ASSERT_TRUE(engine_->Accept(kTenant, "amy", english).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "amy", english).ok());
  EXPECT_EQ(State(waiting), "queued");
  EXPECT_EQ(Load("amy", v1::CHANNEL_CHAT), "0");
}

class QueueAdminTest : public RedisFixture {};

TEST_F(QueueAdminTest, PutQueueReindexesExistingAgents) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}, {v1::CHANNEL_EMAIL, 2}}, {{"sales", 2}}).ok());
  AddQueue("sales", {v1::CHANNEL_CHAT}, {{"sales", 1}});
  EXPECT_EQ(Int({"SISMEMBER", keys_.prefix() + ":agq:alice", "sales"}), 1);
  EXPECT_TRUE(ZScore(keys_.Available("sales", v1::CHANNEL_CHAT), "alice").has_value());

  // Raising the requirement above her proficiency takes her out.
  AddQueue("sales", {v1::CHANNEL_CHAT}, {{"sales", 3}});
  EXPECT_EQ(Int({"SISMEMBER", keys_.prefix() + ":agq:alice", "sales"}), 0);
  EXPECT_FALSE(ZScore(keys_.Available("sales", v1::CHANNEL_CHAT), "alice").has_value());

  // Lowering it again and moving the queue to email re-indexes her on the new channel only.
  AddQueue("sales", {v1::CHANNEL_EMAIL}, {{"sales", 2}});
  EXPECT_EQ(Int({"SISMEMBER", keys_.prefix() + ":agq:alice", "sales"}), 1);
  EXPECT_FALSE(ZScore(keys_.Available("sales", v1::CHANNEL_CHAT), "alice").has_value());
  EXPECT_TRUE(ZScore(keys_.Available("sales", v1::CHANNEL_EMAIL), "alice").has_value());
  auto q = engine_->GetQueue(kTenant, "sales");
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_EQ(q->channels_size(), 1);
  EXPECT_EQ(q->channels(0), v1::CHANNEL_EMAIL);
  EXPECT_EQ(q->required_skills(0).proficiency(), 2);

  // Work waiting in the queue is matched to her right away.
  intake::Submission mail = Chat("quote please", 0, "sales");
  mail.channel = v1::CHANNEL_EMAIL;
  std::string id = SubmitAndRoute(mail);
  EXPECT_EQ(OfferedTo(id), "alice");
}

TEST_F(QueueAdminTest, DeleteQueueWithWaitingWorkIsFailedPrecondition) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  std::string id = SubmitAndRoute(Chat("hello", 0, "general"));
  ASSERT_EQ(State(id), "queued");
  EXPECT_EQ(engine_->DeleteQueue(kTenant, "general").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(engine_->GetQueue(kTenant, "general").ok());
  EXPECT_TRUE(ZScore(keys_.Waiting("general", v1::CHANNEL_CHAT), id).has_value());

  ASSERT_TRUE(store_->Cancel(kTenant, id, "test").ok());
  ASSERT_TRUE(engine_->DeleteQueue(kTenant, "general").ok());
  EXPECT_EQ(engine_->GetQueue(kTenant, "general").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Int({"SISMEMBER", keys_.Queues(), "general"}), 0);
  EXPECT_EQ(engine_->DeleteQueue(kTenant, "general").code(), absl::StatusCode::kNotFound);
  // Submissions naming the deleted queue are refused.
  intake::Submission s = Chat("again", 0, "general");
  EXPECT_EQ(store_->Submit(kTenant, {&s})[0].status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(QueueAdminTest, ListQueuesIsSortedByName) {
  for (const char* name : {"zeta", "alpha", "mid-2", "mid-10"}) AddQueue(name, {v1::CHANNEL_CHAT});
  AddQueue("alpha", {v1::CHANNEL_VOICE});  // replacing does not duplicate
  auto queues = engine_->ListQueues(kTenant);
  ASSERT_TRUE(queues.ok()) << queues.status();
  std::vector<std::string> names;
  for (const auto& q : *queues) names.push_back(q.name());
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "mid-10", "mid-2", "zeta"}));
  EXPECT_EQ((*queues)[0].channels(0), v1::CHANNEL_VOICE);
  auto other = engine_->ListQueues("other-tenant");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

// The scripts keep queue definitions between calls (services/common/lua/include/queue_cache.lua);
// each change must reach the very next transition.
TEST_F(QueueAdminTest, EveryChangeOfADefinitionReachesTheNextTransition) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 5}, {v1::CHANNEL_EMAIL, 5}}).ok());
  auto deadline_in = [&](const std::string& id) {
    return std::stoll(HGet(keys_.Interaction(id), "deadline_ms")) - clock_.NowMs();
  };
  AddQueue("support", {v1::CHANNEL_CHAT}, {}, /*offer_timeout_seconds=*/10);
  std::string first = SubmitAndRoute(Chat("one", 0, "support"));
  ASSERT_EQ(OfferedTo(first), "alice");
  EXPECT_EQ(deadline_in(first), 10000);

  AddQueue("support", {v1::CHANNEL_CHAT}, {}, /*offer_timeout_seconds=*/30);
  std::string second = SubmitAndRoute(Chat("two", 0, "support"));
  ASSERT_EQ(OfferedTo(second), "alice");
  EXPECT_EQ(deadline_in(second), 30000);

  // Deleted and created again for email only: chat is refused, email offered with the new
  // deadline.
  for (const auto& id : {first, second}) ASSERT_TRUE(store_->Cancel(kTenant, id, "test").ok());
  ASSERT_TRUE(engine_->DeleteQueue(kTenant, "support").ok());
  AddQueue("support", {v1::CHANNEL_EMAIL}, {}, /*offer_timeout_seconds=*/5);
  std::string chat = SubmitAndRoute(Chat("three", 0, "support"));
  EXPECT_EQ(State(chat), "rejected");
  intake::Submission mail = Chat("four", 0, "support");
  mail.channel = v1::CHANNEL_EMAIL;
  std::string email = SubmitAndRoute(mail);
  ASSERT_EQ(OfferedTo(email), "alice");
  EXPECT_EQ(deadline_in(email), 5000);
}

}  // namespace
}  // namespace omniroute
