// Classification with the intent model: RE2 patterns, intent and attribute conditions on rules,
// intent mappings gated by the tenant's confidence threshold, and their validation.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "services/classification/rules.h"
#include "services/common/tenant_config.h"

namespace omniroute::classification {
namespace {

ClassifyInput Chat(const std::string& subject, std::map<std::string, std::string> attrs = {}) {
  ClassifyInput in;
  in.channel = v1::CHANNEL_CHAT;
  in.subject = subject;
  in.attributes = std::move(attrs);
  return in;
}

v1::TenantConfig WithMapping() {
  v1::TenantConfig c;
  (*c.mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = "chat";
  c.set_low_confidence_queue("triage");
  auto* m = c.add_intents();
  m->set_intent("card_arrival");
  m->set_category("cards");
  m->set_product_area("cards");
  m->set_priority(v1::PRIORITY_P2);
  m->set_queue("cards");
  auto* s = m->add_required_skills();
  s->set_name("cards");
  s->set_proficiency(2);
  auto* pw = c.add_intents();
  pw->set_intent("passcode_forgotten");
  pw->set_self_service(true);
  pw->set_queue("bot");
  return WithDefaults(c);
}

TEST(ModelRulesTest, AConfidentMappedIntentSetsEveryField) {
  ModelVerdict v{"card_arrival", 0.91};
  auto r = Classify(WithMapping(), Chat("where is my card"), &v);
  EXPECT_EQ(r.source, "model");
  EXPECT_EQ(r.intent, "card_arrival");
  EXPECT_DOUBLE_EQ(r.confidence, 0.91);
  EXPECT_EQ(r.category, "cards");
  EXPECT_EQ(r.product_area, "cards");
  EXPECT_EQ(r.priority, 2);
  EXPECT_EQ(r.queue, "cards");
  EXPECT_EQ(r.skills.at("cards"), 2);
  EXPECT_FALSE(r.self_service);
  ModelVerdict pw{"passcode_forgotten", 0.8};
  auto p = Classify(WithMapping(), Chat("forgot my passcode"), &pw);
  EXPECT_TRUE(p.self_service);
  EXPECT_EQ(p.category, "passcode_forgotten") << "category defaults to the intent";
  EXPECT_EQ(p.queue, "bot");
}

TEST(ModelRulesTest, BelowTheThresholdWorkGoesToTheLowConfidenceQueue) {
  ModelVerdict v{"card_arrival", 0.49};  // default min_confidence 0.5
  auto r = Classify(WithMapping(), Chat("hmm"), &v);
  EXPECT_EQ(r.source, "low_confidence");
  EXPECT_EQ(r.category, "low_confidence");
  EXPECT_EQ(r.queue, "triage");
  EXPECT_EQ(r.intent, "card_arrival") << "the guess is still recorded";
  v1::TenantConfig strict = WithMapping();
  strict.set_min_confidence(0.95);
  v.confidence = 0.94;
  EXPECT_EQ(Classify(strict, Chat("x"), &v).source, "low_confidence");
  v.confidence = 0.95;
  EXPECT_EQ(Classify(strict, Chat("x"), &v).source, "model");
}

// A weak guess goes to triage also when its intent is not mapped: the threshold is about the
// model's confidence, not about which label it guessed.
TEST(ModelRulesTest, AnUnmappedIntentBelowTheThresholdGoesToTheLowConfidenceQueueToo) {
  v1::TenantConfig strict = WithMapping();
  strict.set_min_confidence(0.9);
  ModelVerdict weak{"get_physical_card", 0.20};  // not mapped
  auto r = Classify(strict, Chat("hello, I have a question"), &weak);
  EXPECT_EQ(r.source, "low_confidence");
  EXPECT_EQ(r.category, "low_confidence");
  EXPECT_EQ(r.queue, "triage");
  EXPECT_EQ(r.intent, "get_physical_card");
  // A tenant that maps no intent and names no triage queue does not route by the model.
  v1::TenantConfig plain;
  (*plain.mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = "chat";
  auto p = Classify(WithDefaults(plain), Chat("hello, I have a question"), &weak);
  EXPECT_EQ(p.source, "default");
  EXPECT_EQ(p.queue, "chat");
}

// "None of these": at or above the out-of-scope threshold (the tenant's, else the model's) the
// work goes to triage whatever the guess and its confidence; rules still win.
TEST(ModelRulesTest, OutOfScopeWorkGoesToTriageAtTheThresholdThatApplies) {
  ModelVerdict v{"card_arrival", 0.97};
  v.out_of_scope_score = 0.6;
  v.model_out_of_scope_threshold = 0.6;
  auto r = Classify(WithMapping(), Chat("hello, I have a question"), &v);
  EXPECT_EQ(r.source, "out_of_scope");
  EXPECT_EQ(r.category, "out_of_scope");
  EXPECT_EQ(r.queue, "triage");
  EXPECT_EQ(r.intent, "card_arrival") << "the guess is still recorded";
  v.out_of_scope_score = 0.59;
  EXPECT_EQ(Classify(WithMapping(), Chat("where is my card"), &v).source, "model");
  // The tenant's threshold overrides the model's; -1 turns the decision off.
  v1::TenantConfig tenant = WithMapping();
  tenant.set_out_of_scope_threshold(0.5);
  EXPECT_EQ(Classify(tenant, Chat("x"), &v).source, "out_of_scope");
  EXPECT_DOUBLE_EQ(OutOfScopeThreshold(tenant, v), 0.5);
  tenant.set_out_of_scope_threshold(-1);
  v.out_of_scope_score = 0.99;
  EXPECT_EQ(Classify(tenant, Chat("x"), &v).source, "model");
  EXPECT_DOUBLE_EQ(OutOfScopeThreshold(tenant, v), 0);
  // A model without a calibrated threshold makes no out-of-scope decision.
  v.model_out_of_scope_threshold = 0;
  EXPECT_EQ(Classify(WithMapping(), Chat("x"), &v).source, "model");
  // Rules come first; a tenant that does not route by the model is not triaged.
  v.model_out_of_scope_threshold = 0.6;
  v1::TenantConfig ruled = WithMapping();
  auto* rule = ruled.add_rules();
  rule->set_name("hello");
  rule->set_category("greeting");
  rule->add_keywords("hello");
  EXPECT_EQ(Classify(ruled, Chat("hello, I have a question"), &v).source, "rule");
  v1::TenantConfig plain;
  (*plain.mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = "chat";
  EXPECT_EQ(Classify(WithDefaults(plain), Chat("x"), &v).source, "default");
}

TEST(ModelRulesTest, AnUnmappedIntentOrNoModelFallsBackToTheDefaults) {
  ModelVerdict v{"exchange_rate", 0.99};
  auto r = Classify(WithMapping(), Chat("rates?"), &v);
  EXPECT_EQ(r.source, "default");
  EXPECT_EQ(r.queue, "chat");
  EXPECT_EQ(r.intent, "exchange_rate");
  auto none = Classify(WithMapping(), Chat("rates?"), nullptr);
  EXPECT_EQ(none.source, "default");
  EXPECT_EQ(none.intent, "");
}

TEST(ModelRulesTest, RulesOverrideTheModelAndRulesOnIntentsRefineIt) {
  v1::TenantConfig c = WithMapping();
  auto* vip = c.add_rules();  // refine: card questions from VIPs
  vip->set_name("vip-cards");
  vip->add_intents("card_arrival");
  (*vip->mutable_attributes())["tier"] = "gold";
  vip->set_category("vip_cards");
  vip->set_priority(v1::PRIORITY_P1);
  vip->set_queue("vip");
  auto* fraud = c.add_rules();  // override: a pattern, whatever the model says
  fraud->set_name("fraud");
  fraud->add_patterns(R"(\b(stolen|unauthori[sz]ed)\b)");
  fraud->set_category("fraud");
  fraud->set_queue("fraud");
  ModelVerdict v{"card_arrival", 0.9};
  auto gold = Classify(c, Chat("card not here", {{"tier", "gold"}}), &v);
  EXPECT_EQ(gold.source, "rule");
  EXPECT_EQ(gold.rule, "vip-cards");
  EXPECT_EQ(gold.queue, "vip");
  EXPECT_EQ(gold.intent, "card_arrival");
  EXPECT_EQ(Classify(c, Chat("card not here", {{"tier", "silver"}}), &v).source, "model");
  EXPECT_EQ(Classify(c, Chat("card not here"), &v).source, "model");
  auto stolen = Classify(c, Chat("My card was STOLEN"), &v);
  EXPECT_EQ(stolen.rule, "fraud");
  EXPECT_EQ(stolen.queue, "fraud");
  EXPECT_EQ(Classify(c, Chat("my card was stolenish"), &v).rule, "") << "pattern word bounds";
}

TEST(ModelRulesTest, InvalidPatternsMappingsAndThresholdsNameTheField) {
  std::set<std::string> queues = {"chat", "cards", "bot", "triage"};
  auto error = [&](const v1::TenantConfig& c) {
    return std::string(ValidateTenantConfig(c, queues).message());
  };
  v1::TenantConfig ok = WithMapping();
  ok.clear_min_confidence();
  EXPECT_EQ(error(ok), "");
  v1::TenantConfig bad = ok;
  auto* r = bad.add_rules();
  r->set_name("broken");
  r->set_category("x");
  r->add_patterns("card(");
  EXPECT_EQ(error(bad).substr(0, 42), "config.rules[0].patterns[0]: does not comp");
  bad = ok;
  bad.mutable_intents(0)->set_queue("nope");
  EXPECT_EQ(error(bad), "config.intents[0].queue: no queue named 'nope'");
  bad = ok;
  *bad.add_intents() = ok.intents(0);
  EXPECT_EQ(error(bad), "config.intents[2].intent: duplicate intent");
  bad = ok;
  bad.set_min_confidence(1.5);
  EXPECT_EQ(error(bad), "config.min_confidence: must be 0..1");
  for (double t : {-0.5, 1.5, -2.0}) {
    bad = ok;
    bad.set_out_of_scope_threshold(t);
    EXPECT_EQ(error(bad), "config.out_of_scope_threshold: must be 0..1, or -1 (off)") << t;
  }
  bad = ok;
  bad.set_low_confidence_queue("nope");
  EXPECT_EQ(error(bad), "config.low_confidence_queue: no queue named 'nope'");
}

TEST(ModelRulesTest, SelfServiceWorkIsDeflectedToTheSelfServiceQueueAndKeepsItsHumanQueue) {
  v1::TenantConfig c = WithMapping();
  c.mutable_intents(1)->set_queue("security");
  auto* skill = c.mutable_intents(1)->add_required_skills();
  skill->set_name("security");
  skill->set_proficiency(3);
  ModelVerdict pw{"passcode_forgotten", 0.8};
  // Without a self-service queue the eligibility is only recorded.
  auto plain = Classify(c, Chat("forgot my passcode"), &pw);
  EXPECT_TRUE(plain.self_service);
  EXPECT_EQ(plain.queue, "security");
  EXPECT_EQ(plain.escalation_queue, "");
  c.set_self_service_queue("bot");
  auto r = Classify(c, Chat("forgot my passcode"), &pw);
  EXPECT_EQ(r.queue, "bot");
  EXPECT_EQ(r.escalation_queue, "security");
  EXPECT_EQ(r.skills.at("security"), 3) << "the skills stay with the work for its human queue";
  // Work that is not self-service eligible, or whose integrator named a queue, is not deflected.
  ModelVerdict card{"card_arrival", 0.9};
  EXPECT_EQ(Classify(c, Chat("where is my card"), &card).escalation_queue, "");
  ClassifyInput requested = Chat("forgot my passcode");
  requested.requested_queue = "chat";
  auto kept = Classify(c, requested, &pw);
  EXPECT_EQ(kept.queue, "chat");
  EXPECT_EQ(kept.escalation_queue, "");
  // A rule can mark work self-service too; its human queue is the channel default here.
  auto* rule = c.add_rules();
  rule->set_name("reset");
  rule->set_category("password");
  rule->add_patterns(R"(reset\s+my\s+password)");
  rule->set_self_service(true);
  auto by_rule = Classify(c, Chat("please reset my password"), nullptr);
  EXPECT_EQ(by_rule.rule, "reset");
  EXPECT_EQ(by_rule.queue, "bot");
  EXPECT_EQ(by_rule.escalation_queue, "chat");
}

TEST(ModelRulesTest, ASelfServiceQueueMustExistAndCannotBeTheHumanQueue) {
  std::set<std::string> queues = {"chat", "cards", "bot", "triage"};
  auto error = [&](const v1::TenantConfig& c) {
    return std::string(ValidateTenantConfig(c, queues).message());
  };
  v1::TenantConfig c = WithMapping();  // passcode_forgotten is self-service with queue "bot"
  c.set_self_service_queue("nope");
  EXPECT_EQ(error(c), "config.self_service_queue: no queue named 'nope'");
  c.set_self_service_queue("bot");
  EXPECT_EQ(error(c),
            "config.intents[1].queue: 'bot' is the self_service_queue; a self-service intent's "
            "queue is the human queue it escalates to");
  c.mutable_intents(1)->set_queue("chat");
  EXPECT_EQ(error(c), "");
  auto* rule = c.add_rules();
  rule->set_name("reset");
  rule->set_category("password");
  rule->set_queue("bot");
  EXPECT_EQ(error(c), "") << "a rule that is not self-service may name the bot queue";
  rule->set_self_service(true);
  EXPECT_EQ(error(c).substr(0, 40), "config.rules[0].queue: 'bot' is the self");
}

TEST(ModelRulesTest, RulesOnCustomerFieldsMatchOnlyProfilesMeetingEveryCondition) {
  v1::TenantConfig c = WithMapping();
  auto* vip = c.add_rules();
  vip->set_name("renewing-vip");
  vip->set_category("retention");
  vip->set_queue("cards");
  vip->mutable_customer()->add_tiers("gold");
  vip->mutable_customer()->add_tiers("platinum");
  vip->mutable_customer()->set_min_annual_value(50000);
  vip->mutable_customer()->set_renewal_within_days(30);
  const int64_t now = 1'700'000'000'000;
  const int64_t day = 86'400'000;
  auto classify = [&](std::optional<CustomerProfile> p) {
    ClassifyInput in = Chat("hello");
    in.customer_id = "c1";
    in.customer = p;
    in.now_ms = now;
    return Classify(c, in, nullptr).rule;
  };
  CustomerProfile gold{"gold", 80000, 0.1, now + 10 * day};
  EXPECT_EQ(classify(gold), "renewing-vip");
  EXPECT_EQ(classify(std::nullopt), "") << "no stored profile";
  CustomerProfile silver = gold;
  silver.tier = "silver";
  EXPECT_EQ(classify(silver), "");
  CustomerProfile small = gold;
  small.annual_value = 49999;
  EXPECT_EQ(classify(small), "");
  CustomerProfile later = gold;
  later.renewal_ms = now + 31 * day;
  EXPECT_EQ(classify(later), "");
  CustomerProfile unknown = gold;
  unknown.renewal_ms = 0;
  EXPECT_EQ(classify(unknown), "") << "an unknown renewal date does not match";
  vip->mutable_customer()->set_min_churn_risk(0.5);
  EXPECT_EQ(classify(gold), "") << "churn risk 0.1 < 0.5";
  gold.churn_risk = 0.5;
  EXPECT_EQ(classify(gold), "renewing-vip");

  auto profile = ProfileFromHash(
      {"tier", "gold", "value", "1234.5", "risk", "0.25", "renewal_ms", "42", "pref", "ann"});
  ASSERT_TRUE(profile.has_value());
  EXPECT_EQ(profile->tier, "gold");
  EXPECT_DOUBLE_EQ(profile->annual_value, 1234.5);
  EXPECT_DOUBLE_EQ(profile->churn_risk, 0.25);
  EXPECT_EQ(profile->renewal_ms, 42);
  EXPECT_FALSE(ProfileFromHash({}).has_value());
  EXPECT_TRUE(Compile(c)->uses_customer);
  EXPECT_FALSE(Compile(WithMapping())->uses_customer);
}

TEST(ModelRulesTest, InvalidCustomerConditionsNameTheField) {
  std::set<std::string> queues = {"chat", "cards", "bot", "triage"};
  auto error = [&](const v1::TenantConfig& c) {
    return std::string(ValidateTenantConfig(c, queues).message());
  };
  v1::TenantConfig c = WithMapping();
  auto* r = c.add_rules();
  r->set_name("vip");
  r->set_category("vip");
  r->mutable_customer()->add_tiers("gold");
  EXPECT_EQ(error(c), "");
  r->mutable_customer()->add_tiers("no spaces");
  EXPECT_EQ(error(c).substr(0, 34), "config.rules[0].customer.tiers[1]:");
  r->mutable_customer()->clear_tiers();
  r->mutable_customer()->set_min_churn_risk(1.5);
  EXPECT_EQ(error(c), "config.rules[0].customer.min_churn_risk: must be 0..1");
  r->mutable_customer()->set_min_churn_risk(0);
  r->mutable_customer()->set_renewal_within_days(-1);
  EXPECT_EQ(error(c), "config.rules[0].customer.renewal_within_days: must be 0..3650");
  r->mutable_customer()->set_renewal_within_days(0);
  r->mutable_customer()->set_min_annual_value(-5);
  EXPECT_EQ(error(c), "config.rules[0].customer.min_annual_value: must be 0..1e12");
}

}  // namespace
}  // namespace omniroute::classification
