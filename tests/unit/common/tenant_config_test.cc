#include "services/common/tenant_config.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace omniroute {
namespace {

const std::set<std::string> kQueues = {"billing", "general", "vip"};

v1::TenantConfig ValidConfig() {
  v1::TenantConfig c;
  auto* r = c.add_rules();
  r->set_name("refunds");
  r->add_channels(v1::CHANNEL_CHAT);
  r->add_channels(v1::CHANNEL_EMAIL);
  r->add_keywords("refund");
  r->add_keywords("chargeback");
  r->set_category("billing");
  r->set_priority(v1::PRIORITY_P2);
  auto* s = r->add_required_skills();
  s->set_name("billing");
  s->set_proficiency(3);
  r->set_queue("billing");
  auto* r2 = c.add_rules();
  r2->set_name("fallback");
  r2->set_category("other");
  (*c.mutable_default_queue_by_channel())[v1::CHANNEL_VOICE] = "vip";
  c.set_default_queue("general");
  c.set_default_priority(v1::PRIORITY_P3);
  for (int h : {300, 100, 100, 0}) c.add_priority_head_start_seconds(h);
  c.set_max_missed_offers(-1);
  return c;
}

// Applies `mutate` to a valid config and expects an InvalidArgument naming `field`.
void ExpectRejected(const std::function<void(v1::TenantConfig&)>& mutate,
                    const std::string& field) {
  v1::TenantConfig c = ValidConfig();
  mutate(c);
  auto st = ValidateTenantConfig(c, kQueues);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << field << ": " << st;
  EXPECT_TRUE(absl::StartsWith(st.message(), field)) << "want " << field << ", got " << st;
}

TEST(TenantConfigTest, DefaultsFillOnlyUnsetFieldsAndAValidConfigPasses) {
  v1::TenantConfig d = WithDefaults(v1::TenantConfig());
  EXPECT_EQ(d.default_priority(), v1::PRIORITY_P3);
  EXPECT_EQ(std::vector<int>(d.priority_head_start_seconds().begin(),
                             d.priority_head_start_seconds().end()),
            (std::vector<int>{120, 60, 30, 0}));
  EXPECT_TRUE(ValidateTenantConfig(d, {}).ok());
  v1::TenantConfig set = WithDefaults(ValidConfig());
  EXPECT_EQ(set.default_priority(), v1::PRIORITY_P3);
  EXPECT_EQ(set.priority_head_start_seconds(0), 300);

  v1::Queue q = QueueWithDefaults(v1::Queue());
  EXPECT_EQ(q.strategy(), v1::STRATEGY_LONGEST_IDLE);
  EXPECT_EQ(q.sla_threshold_seconds(), 20);
  EXPECT_EQ(q.sla_target_percent(), 80);
  EXPECT_EQ(q.offer_timeout_seconds(), 20);
  v1::Queue custom;
  custom.set_sla_threshold_seconds(45);
  custom.set_offer_timeout_seconds(5);
  custom = QueueWithDefaults(custom);
  EXPECT_EQ(custom.sla_threshold_seconds(), 45);
  EXPECT_EQ(custom.offer_timeout_seconds(), 5);
  auto st = ValidateTenantConfig(ValidConfig(), kQueues);
  EXPECT_TRUE(st.ok()) << st;
}

TEST(TenantConfigTest, RejectsReferencesToUnknownQueues) {
  ExpectRejected([](auto& c) { c.mutable_rules(0)->set_queue("nope"); }, "config.rules[0].queue");
  ExpectRejected([](auto& c) { (*c.mutable_default_queue_by_channel())[2] = "nope"; },
                 "config.default_queue_by_channel");
  ExpectRejected([](auto& c) { c.set_default_queue("nope"); }, "config.default_queue");
  // The same config is fine once the queue exists.
  v1::TenantConfig c = ValidConfig();
  c.set_default_queue("nope");
  std::set<std::string> more = kQueues;
  more.insert("nope");
  EXPECT_TRUE(ValidateTenantConfig(c, more).ok());
}

TEST(TenantConfigTest, RejectsDuplicateRuleNamesAndUnknownChannels) {
  ExpectRejected([](auto& c) { c.mutable_rules(1)->set_name("refunds"); },
                 "config.rules[1].name: duplicate rule name");
  ExpectRejected([](auto& c) { c.mutable_rules(0)->set_name("bad name"); }, "config.rules[0].name");
  ExpectRejected([](auto& c) { c.mutable_rules(1)->add_channels(static_cast<v1::Channel>(8)); },
                 "config.rules[1].channels");
  ExpectRejected([](auto& c) { c.mutable_rules(0)->add_channels(v1::CHANNEL_UNSPECIFIED); },
                 "config.rules[0].channels");
  ExpectRejected([](auto& c) { (*c.mutable_default_queue_by_channel())[9] = "general"; },
                 "config.default_queue_by_channel: unknown channel 9");
  ExpectRejected([](auto& c) { c.mutable_rules(0)->set_keywords(1, ""); },
                 "config.rules[0].keywords[1]");
  ExpectRejected(
      [](auto& c) { c.mutable_rules(0)->mutable_required_skills(0)->set_proficiency(6); },
      "config.rules[0].required_skills[0].proficiency");
}

// Intent labels are the model's: the shipped Banking77 model has "reverted_card_payment?", and
// a mapping or a rule naming it is a valid config; other punctuation is still refused.
TEST(TenantConfigTest, IntentLabelsOfTheShippedModelCanBeMappedAndUsedInRules) {
  v1::TenantConfig c = ValidConfig();
  auto* m = c.add_intents();
  m->set_intent("reverted_card_payment?");
  m->set_queue(*kQueues.begin());
  c.mutable_rules(0)->add_intents("reverted_card_payment?");
  auto st = ValidateTenantConfig(c, kQueues);
  EXPECT_TRUE(st.ok()) << st;
  ExpectRejected([](auto& c) { c.add_intents()->set_intent("card payment!"); },
                 "config.intents[0].intent");
  ExpectRejected([](auto& c) { c.mutable_rules(0)->add_intents("why?!"); },
                 "config.rules[0].intents[0]");
}

TEST(TenantConfigTest, RejectsIncreasingOrMalformedHeadStarts) {
  auto heads = [](std::vector<int> v) {
    return [v](v1::TenantConfig& c) {
      c.clear_priority_head_start_seconds();
      for (int h : v) c.add_priority_head_start_seconds(h);
    };
  };
  // P3 may not get a bigger head start than P2.
  ExpectRejected(heads({120, 60, 90, 0}), "config.priority_head_start_seconds");
  ExpectRejected(heads({0, 0, 0, 10}), "config.priority_head_start_seconds");
  ExpectRejected(heads({120, 60, 30}), "config.priority_head_start_seconds");
  ExpectRejected(heads({120, 60, 30, 0, 0}), "config.priority_head_start_seconds");
  ExpectRejected(heads({120, 60, 30, -1}), "config.priority_head_start_seconds");
  ExpectRejected(heads({86401, 60, 30, 0}), "config.priority_head_start_seconds");
  ExpectRejected([](auto& c) { c.set_max_missed_offers(-2); }, "config.max_missed_offers");
  v1::TenantConfig equal = ValidConfig();
  heads({60, 60, 60, 60})(equal);
  EXPECT_TRUE(ValidateTenantConfig(equal, kQueues).ok());
}

TEST(TenantConfigTest, ValidateQueueErrorsNameTheField) {
  auto valid = [] {
    v1::Queue q;
    q.set_name("billing");
    q.add_channels(v1::CHANNEL_CHAT);
    q.add_channels(v1::CHANNEL_VOICE);
    auto* s = q.add_required_skills();
    s->set_name("billing");
    s->set_proficiency(3);
    return q;
  };
  EXPECT_TRUE(ValidateQueue(valid()).ok());
  struct Case {
    std::function<void(v1::Queue&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](v1::Queue& q) { q.set_name(""); }, "queue.name"},
      {[](v1::Queue& q) { q.set_name("a:b"); }, "queue.name"},
      {[](v1::Queue& q) { q.clear_channels(); }, "queue.channels"},
      {[](v1::Queue& q) { q.add_channels(v1::CHANNEL_CHAT); }, "queue.channels"},
      {[](v1::Queue& q) { q.add_channels(static_cast<v1::Channel>(8)); }, "queue.channels"},
      {[](v1::Queue& q) { q.mutable_required_skills(0)->set_proficiency(0); },
       "queue.required_skills[0].proficiency"},
      {[](v1::Queue& q) { *q.add_required_skills() = q.required_skills(0); },
       "queue.required_skills[1].name"},
      {[](v1::Queue& q) { q.mutable_required_skills(0)->set_name("bad skill"); },
       "queue.required_skills[0].name"},
      {[](v1::Queue& q) { q.set_strategy(static_cast<v1::Strategy>(7)); }, "queue.strategy"},
      {[](v1::Queue& q) { q.set_sla_threshold_seconds(3601); }, "queue.sla_threshold_seconds"},
      {[](v1::Queue& q) { q.set_sla_target_percent(101); }, "queue.sla_target_percent"},
      {[](v1::Queue& q) { q.set_offer_timeout_seconds(301); }, "queue.offer_timeout_seconds"},
      {[](v1::Queue& q) { q.set_offer_timeout_seconds(-1); }, "queue.offer_timeout_seconds"},
  };
  for (const auto& c : cases) {
    v1::Queue q = valid();
    c.mutate(q);
    auto st = ValidateQueue(q);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(absl::StartsWith(st.message(), c.field)) << "want " << c.field << ", got " << st;
  }
}

}  // namespace
}  // namespace omniroute

namespace omniroute {
namespace {

// Channel defaults in JSON name the channel as the API does; the older map form (channel
// numbers as keys) still works and is folded into the list.
TEST(TenantConfigTest, DefaultQueuesNameChannelsInJsonAndTheOlderMapJoinsThem) {
  v1::TenantConfig c;
  auto st = google::protobuf::util::JsonStringToMessage(
      R"({"defaultQueues": [{"channel": "CHANNEL_CHAT", "queue": "billing"},
                            {"channel": "CHANNEL_EMAIL", "queue": "general"}],
          "defaultQueue": "vip"})",
      &c);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(ValidateTenantConfig(c, kQueues).ok());
  EXPECT_EQ(DefaultQueueFor(c, v1::CHANNEL_CHAT), "billing");
  EXPECT_EQ(DefaultQueueFor(c, v1::CHANNEL_EMAIL), "general");
  EXPECT_EQ(DefaultQueueFor(c, v1::CHANNEL_VOICE), "vip");

  // The map form: numbers only (a channel name is not a map<int32> key in proto3 JSON).
  v1::TenantConfig old;
  EXPECT_FALSE(google::protobuf::util::JsonStringToMessage(
                   R"({"defaultQueueByChannel": {"CHANNEL_CHAT": "billing"}})", &old)
                   .ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"defaultQueueByChannel": {"1": "vip"}})", &old)
                  .ok());
  EXPECT_EQ(DefaultQueueFor(old, v1::CHANNEL_VOICE), "vip");
  v1::TenantConfig folded = WithDefaults(old);
  EXPECT_TRUE(folded.default_queue_by_channel().empty());
  ASSERT_EQ(folded.default_queues_size(), 1);
  EXPECT_EQ(folded.default_queues(0).channel(), v1::CHANNEL_VOICE);
  EXPECT_EQ(DefaultQueueFor(folded, v1::CHANNEL_VOICE), "vip");

  // Errors name the entry.
  auto rejected = [](const std::string& json, const std::string& want) {
    v1::TenantConfig bad;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &bad).ok()) << json;
    auto s = ValidateTenantConfig(bad, kQueues);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_TRUE(absl::StrContains(s.message(), want)) << s.message();
  };
  rejected(R"({"defaultQueues": [{"channel": "CHANNEL_CHAT", "queue": "nope"}]})",
           "config.default_queues[0].queue: no queue named 'nope'");
  rejected(R"({"defaultQueues": [{"queue": "vip"}]})", "config.default_queues[0].channel");
  rejected(R"({"defaultQueues": [{"channel": "CHANNEL_CHAT", "queue": "vip"},
                                 {"channel": "CHANNEL_CHAT", "queue": "billing"}]})",
           "config.default_queues[1].channel: CHANNEL_CHAT twice");
  rejected(R"({"defaultQueues": [{"channel": "CHANNEL_CHAT", "queue": "vip"}],
               "defaultQueueByChannel": {"2": "billing"}})",
           "CHANNEL_CHAT is also in default_queues");
}

}  // namespace
}  // namespace omniroute
