#include "services/classification/rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/common/tenant_config.h"

namespace omniroute::classification {
namespace {

v1::ClassificationRule* AddRule(v1::TenantConfig& c, const std::string& name,
                                std::vector<std::string> keywords, const std::string& category,
                                std::vector<v1::Channel> channels = {}) {
  auto* r = c.add_rules();
  r->set_name(name);
  for (const auto& k : keywords) r->add_keywords(k);
  for (auto ch : channels) r->add_channels(ch);
  r->set_category(category);
  return r;
}

ClassifyInput Input(int channel, const std::string& subject, const std::string& body = "") {
  ClassifyInput in;
  in.channel = channel;
  in.subject = subject;
  in.body = body;
  return in;
}

TEST(RulesTest, FirstMatchingRuleWinsAndSetsEveryResultField) {
  v1::TenantConfig c;
  auto* refunds = AddRule(c, "refunds", {"refund"}, "billing");
  refunds->set_priority(v1::PRIORITY_P2);
  refunds->set_queue("billing");
  auto* skill = refunds->add_required_skills();
  skill->set_name("billing");
  skill->set_proficiency(3);
  auto* cards = AddRule(c, "cards", {"card", "refund"}, "cards");
  cards->set_queue("cards");
  c = WithDefaults(c);

  ClassifyResult r = Classify(c, Input(v1::CHANNEL_CHAT, "card refund"));
  EXPECT_EQ(r.rule, "refunds");
  EXPECT_EQ(r.category, "billing");
  EXPECT_EQ(r.priority, 2);
  EXPECT_EQ(r.queue, "billing");
  EXPECT_EQ(r.skills, (std::map<std::string, int>{{"billing", 3}}));

  ClassifyResult second = Classify(c, Input(v1::CHANNEL_CHAT, "lost my card"));
  EXPECT_EQ(second.rule, "cards");
  EXPECT_EQ(second.category, "cards");
  EXPECT_EQ(second.priority, 3);  // the rule sets none: the tenant default
  EXPECT_TRUE(second.skills.empty());
}

TEST(RulesTest, RuleOnlyAppliesToItsChannels) {
  v1::TenantConfig c;
  AddRule(c, "voice-refunds", {"refund"}, "voice_billing",
          {v1::CHANNEL_VOICE, v1::CHANNEL_CALLBACK});
  AddRule(c, "any-refunds", {"refund"}, "billing");
  c = WithDefaults(c);
  EXPECT_EQ(Classify(c, Input(v1::CHANNEL_VOICE, "refund")).rule, "voice-refunds");
  EXPECT_EQ(Classify(c, Input(v1::CHANNEL_CALLBACK, "refund")).rule, "voice-refunds");
  EXPECT_EQ(Classify(c, Input(v1::CHANNEL_CHAT, "refund")).rule, "any-refunds");
  EXPECT_EQ(Classify(c, Input(v1::CHANNEL_EMAIL, "refund")).category, "billing");
}

TEST(RulesTest, KeywordsMatchWholeWordsCaseInsensitivelyInSubjectOrBody) {
  v1::TenantConfig c;
  AddRule(c, "refunds", {"Refund", "credit card"}, "billing");
  c = WithDefaults(c);
  auto rule = [&](const std::string& subject, const std::string& body = "") {
    return Classify(c, Input(v1::CHANNEL_EMAIL, subject, body)).rule;
  };
  EXPECT_EQ(rule("REFUND please"), "refunds");
  EXPECT_EQ(rule("I want a refund."), "refunds");
  EXPECT_EQ(rule("hello", "about my Refund!"), "refunds");
  EXPECT_EQ(rule("(refund)"), "refunds");
  EXPECT_EQ(rule("my Credit Card was declined"), "refunds");
  EXPECT_EQ(rule("refunds"), "");
  EXPECT_EQ(rule("prerefund"), "");
  EXPECT_EQ(rule("refund2"), "");
  EXPECT_EQ(rule("credit cards"), "");
  // Subject and body are separate texts: a word cannot span the two.
  EXPECT_EQ(rule("credit", "card"), "");
  EXPECT_EQ(rule("refu", "nd"), "");
}

TEST(RulesTest, WithoutAMatchingRuleTheChannelDefaultThenTheTenantDefaultApply) {
  v1::TenantConfig c;
  AddRule(c, "refunds", {"refund"}, "billing");  // no queue: the defaults decide it
  (*c.mutable_default_queue_by_channel())[v1::CHANNEL_VOICE] = "phones";
  c.set_default_queue("general");
  c.set_default_priority(v1::PRIORITY_P4);
  c = WithDefaults(c);

  ClassifyResult voice = Classify(c, Input(v1::CHANNEL_VOICE, "hello"));
  EXPECT_EQ(voice.rule, "");
  EXPECT_EQ(voice.category, "default");
  EXPECT_EQ(voice.priority, 4);
  EXPECT_EQ(voice.queue, "phones");
  EXPECT_TRUE(voice.skills.empty());
  EXPECT_EQ(Classify(c, Input(v1::CHANNEL_SMS, "hello")).queue, "general");
  ClassifyResult matched = Classify(c, Input(v1::CHANNEL_VOICE, "refund"));
  EXPECT_EQ(matched.category, "billing");
  EXPECT_EQ(matched.queue, "phones");

  ClassifyResult bare = Classify(v1::TenantConfig(), Input(v1::CHANNEL_CHAT, "x"));
  EXPECT_EQ(bare.priority, 3);
  EXPECT_EQ(bare.queue, "");
}

TEST(RulesTest, RequestedPriorityAndQueueOverrideTheRule) {
  v1::TenantConfig c;
  auto* r = AddRule(c, "refunds", {"refund"}, "billing");
  r->set_priority(v1::PRIORITY_P2);
  r->set_queue("billing");
  c = WithDefaults(c);
  ClassifyInput in = Input(v1::CHANNEL_CHAT, "refund");
  in.requested_priority = 1;
  in.requested_queue = "vip";
  ClassifyResult out = Classify(c, in);
  EXPECT_EQ(out.priority, 1);
  EXPECT_EQ(out.queue, "vip");
  EXPECT_EQ(out.category, "billing");  // the rule still classifies it
  EXPECT_EQ(out.rule, "refunds");
}

TEST(RulesTest, ContainsWordNeedsNonAlphanumericBoundaries) {
  EXPECT_TRUE(ContainsWord("refund", "refund"));
  EXPECT_TRUE(ContainsWord("a refund", "refund"));
  EXPECT_TRUE(ContainsWord("refund-now", "refund"));
  EXPECT_TRUE(ContainsWord("x_refund", "refund"));           // '_' is not alphanumeric
  EXPECT_TRUE(ContainsWord("refunds or refund", "refund"));  // a later occurrence qualifies
  EXPECT_TRUE(ContainsWord("i like c++ a lot", "c++"));
  EXPECT_TRUE(ContainsWord("c++11", "c++"));  // the word ends in a non-word character
  EXPECT_FALSE(ContainsWord("refunds", "refund"));
  EXPECT_FALSE(ContainsWord("prerefund", "refund"));
  EXPECT_FALSE(ContainsWord("refund9", "refund"));
  EXPECT_FALSE(ContainsWord("", "refund"));
  EXPECT_FALSE(ContainsWord("anything", ""));
}

}  // namespace
}  // namespace omniroute::classification
