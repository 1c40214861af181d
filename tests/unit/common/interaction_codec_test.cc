#include "services/common/interaction_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace omniroute {
namespace {

TEST(InteractionCodecTest, SkillsRoundTripThroughTheLuaJsonShape) {
  EXPECT_EQ(EncodeSkills({}), "{}");
  std::map<std::string, int> skills = {{"billing", 3}, {"es", 1}, {"tier.2-support_x", 5}};
  std::string json = EncodeSkills(skills);
  EXPECT_EQ(json, R"({"billing":3,"es":1,"tier.2-support_x":5})");
  auto decoded = DecodeSkills(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, skills);
  auto empty = DecodeSkills("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  // Capacities use the same shape with channel numbers as keys.
  auto caps = DecodeSkills(EncodeSkills({{"2", 3}, {"1", 1}}));
  ASSERT_TRUE(caps.ok());
  EXPECT_EQ(*caps, (std::map<std::string, int>{{"1", 1}, {"2", 3}}));
}

TEST(InteractionCodecTest, DecodeSkillsRejectsMalformedInput) {
  for (const std::string& bad : std::vector<std::string>{
           "", "[]", "{", "}", "billing:3", "{billing:3}", R"({"billing":x})", R"({"billing":})",
           R"({"billing"})", R"({"a":1:2})", R"({"a":1,"b"})", R"({'a':1})", R"({"a:1})"}) {
    auto r = DecodeSkills(bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(InteractionCodecTest, InteractionFromHashMapsEveryStoredField) {
  std::vector<std::string> kv = {"id",           "0123456789abcdef0123456789abcdef",
                                 "channel",      "2",
                                 "customer",     "cust-1",
                                 "subject",      "refund please",
                                 "body",         "my card was charged twice",
                                 "a:order",      "42",
                                 "a:lang",       "de",
                                 "state",        "offered",
                                 "agent",        "alice",
                                 "created_ms",   "1000",
                                 "queued_ms",    "2000",
                                 "offered_ms",   "3000",
                                 "assigned_ms",  "4000",
                                 "ended_ms",     "5000",
                                 "end_reason",   "customer_abandoned",
                                 "req_priority", "1",
                                 "req_queue",    "vip",
                                 "category",     "billing",
                                 "priority",     "2",
                                 "queue",        "billing",
                                 "rule",         "refunds",
                                 "skills",       R"({"billing":3,"de":2})",
                                 "fp",           "ignored internal field",
                                 "dangling"};  // an odd trailing element is ignored
  v1::Interaction ix = InteractionFromHash("acme", kv);
  EXPECT_EQ(ix.tenant_id(), "acme");
  EXPECT_EQ(ix.interaction_id(), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(ix.channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(ix.customer_id(), "cust-1");
  EXPECT_EQ(ix.subject(), "refund please");
  EXPECT_EQ(ix.body(), "my card was charged twice");
  EXPECT_EQ(ix.attributes().size(), 2u);
  EXPECT_EQ(ix.attributes().at("order"), "42");
  EXPECT_EQ(ix.attributes().at("lang"), "de");
  EXPECT_EQ(ix.state(), v1::INTERACTION_STATE_OFFERED);
  EXPECT_EQ(ix.agent_id(), "alice");
  EXPECT_EQ(ix.created_at_ms(), 1000);
  EXPECT_EQ(ix.queued_at_ms(), 2000);
  EXPECT_EQ(ix.offered_at_ms(), 3000);
  EXPECT_EQ(ix.assigned_at_ms(), 4000);
  EXPECT_EQ(ix.ended_at_ms(), 5000);
  EXPECT_EQ(ix.end_reason(), "customer_abandoned");
  EXPECT_EQ(ix.requested_priority(), v1::PRIORITY_P1);
  EXPECT_EQ(ix.requested_queue(), "vip");
  EXPECT_EQ(ix.classification().category(), "billing");
  EXPECT_EQ(ix.classification().priority(), v1::PRIORITY_P2);
  EXPECT_EQ(ix.classification().queue(), "billing");
  EXPECT_EQ(ix.classification().rule(), "refunds");
  ASSERT_EQ(ix.classification().required_skills_size(), 2);
  EXPECT_EQ(ix.classification().required_skills(0).name(), "billing");
  EXPECT_EQ(ix.classification().required_skills(0).proficiency(), 3);
  EXPECT_EQ(ix.classification().required_skills(1).name(), "de");
  EXPECT_EQ(ix.classification().required_skills(1).proficiency(), 2);
  const std::vector<std::pair<std::string, v1::InteractionState>> states = {
      {"received", v1::INTERACTION_STATE_RECEIVED},
      {"classified", v1::INTERACTION_STATE_CLASSIFIED},
      {"queued", v1::INTERACTION_STATE_QUEUED},
      {"offered", v1::INTERACTION_STATE_OFFERED},
      {"assigned", v1::INTERACTION_STATE_ASSIGNED},
      {"completed", v1::INTERACTION_STATE_COMPLETED},
      {"canceled", v1::INTERACTION_STATE_CANCELED},
      {"rejected", v1::INTERACTION_STATE_REJECTED}};
  for (const auto& [name, state] : states) {
    EXPECT_EQ(StateFromName(name), state) << name;
    EXPECT_EQ(InteractionFromHash("t", {"state", name}).state(), state) << name;
  }
  EXPECT_EQ(StateFromName("Queued"), v1::INTERACTION_STATE_UNSPECIFIED);
  EXPECT_EQ(StateFromName(""), v1::INTERACTION_STATE_UNSPECIFIED);
  // A corrupt skills field yields no skills rather than a failure.
  EXPECT_EQ(
      InteractionFromHash("t", {"skills", "not json"}).classification().required_skills_size(), 0);
}

}  // namespace
}  // namespace omniroute
