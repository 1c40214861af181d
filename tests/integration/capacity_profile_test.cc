// Capacity profiles: agents log in with a named profile of the tenant config instead of their
// own per-channel limits, and follow later changes of the profile at once.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class CapacityProfileTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("support", {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL});
    SetProfiles({{"chat3", {{v1::CHANNEL_CHAT, 3}, {v1::CHANNEL_EMAIL, 1}}}});
  }

  void SetProfiles(const std::map<std::string, std::map<int, int>>& profiles) {
    v1::TenantConfig c;
    c.set_default_queue("support");
    for (const auto& [name, caps] : profiles) {
      auto* p = c.add_capacity_profiles();
      p->set_name(name);
      for (const auto& [ch, max] : caps) {
        auto* cc = p->add_capacities();
        cc->set_channel(static_cast<v1::Channel>(ch));
        cc->set_max(max);
      }
    }
    SetConfig(c);
  }

  absl::StatusOr<std::vector<std::string>> LoginWithProfile(const std::string& agent,
                                                            const std::string& profile) {
    routing::AgentUpdate u;
    u.agent_id = agent;
    u.state = "available";
    u.capacity_profile = profile;
    return engine_->SetAgentState(kTenant, u);
  }

  std::string Cap(const std::string& agent, int ch) {
    return HGet(keys_.Agent(agent), "cap:" + std::to_string(ch));
  }
};

TEST_F(CapacityProfileTest, AnAgentLoggedInWithAProfileGetsItsCapacities) {
  ASSERT_TRUE(LoginWithProfile("ann", "chat3").ok());
  EXPECT_EQ(Cap("ann", v1::CHANNEL_CHAT), "3");
  EXPECT_EQ(Cap("ann", v1::CHANNEL_EMAIL), "1");
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(SubmitAndRoute(Chat("hi", 3, "support")));
  EXPECT_EQ(Load("ann", v1::CHANNEL_CHAT), "3");
  EXPECT_EQ(State(ids[3]), "queued");
}

TEST_F(CapacityProfileTest, ChangingTheProfileChangesEveryAgentFollowingItAtOnce) {
  ASSERT_TRUE(LoginWithProfile("ann", "chat3").ok());
  ASSERT_TRUE(LoginWithProfile("ben", "chat3").ok());
  ASSERT_TRUE(Login("own", {{v1::CHANNEL_CHAT, 3}}).ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 9; ++i) ids.push_back(SubmitAndRoute(Chat("hi", 3, "support")));
  std::string waiting = SubmitAndRoute(Chat("tenth", 3, "support"));
  EXPECT_EQ(State(waiting), "queued");
  SetProfiles({{"chat3", {{v1::CHANNEL_CHAT, 4}}}});
  EXPECT_EQ(Cap("ann", v1::CHANNEL_CHAT), "4");
  EXPECT_EQ(Cap("ben", v1::CHANNEL_CHAT), "4");
  EXPECT_EQ(Cap("ann", v1::CHANNEL_EMAIL), "") << "the profile no longer has email";
  EXPECT_EQ(Cap("own", v1::CHANNEL_CHAT), "3") << "agents with their own capacities keep them";
  EXPECT_EQ(State(waiting), "offered") << "freed capacity is used at once";
}

TEST_F(CapacityProfileTest, OwnCapacitiesEndTheProfileLink) {
  ASSERT_TRUE(LoginWithProfile("ann", "chat3").ok());
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
  SetProfiles({{"chat3", {{v1::CHANNEL_CHAT, 5}}}});
  EXPECT_EQ(Cap("ann", v1::CHANNEL_CHAT), "1");
  EXPECT_EQ(HGet(keys_.Agent("ann"), "profile"), "");
}

TEST_F(CapacityProfileTest, AnUnknownProfileIsRefusedAndChangesNothing) {
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 2}}).ok());
  routing::AgentUpdate u;
  u.agent_id = "ann";
  u.state = "away";
  u.capacity_profile = "nope";
  auto r = engine_->SetAgentState(kTenant, u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "capacity_profile: the tenant config has no profile named 'nope'");
  EXPECT_EQ(HGet(keys_.Agent("ann"), "state"), "available");
  EXPECT_EQ(Cap("ann", v1::CHANNEL_CHAT), "2");
}

TEST_F(CapacityProfileTest, ADeletedProfileLeavesItsAgentsTheirLastCapacities) {
  ASSERT_TRUE(LoginWithProfile("ann", "chat3").ok());
  SetProfiles({});
  EXPECT_EQ(Cap("ann", v1::CHANNEL_CHAT), "3");
  EXPECT_EQ(HGet(keys_.Agent("ann"), "profile"), "");
  EXPECT_EQ(Int({"EXISTS", keys_.prefix() + ":capprof:chat3"}), 0);
  EXPECT_FALSE(LoginWithProfile("ann", "chat3").ok());
}

TEST_F(CapacityProfileTest, InvalidProfilesNameTheField) {
  v1::TenantConfig c;
  auto* p = c.add_capacity_profiles();
  p->set_name("bad name");
  EXPECT_EQ(ValidateTenantConfig(c, {}).message().substr(0, 32),
            "config.capacity_profiles[0].name");
  p->set_name("ok");
  EXPECT_EQ(ValidateTenantConfig(c, {}).message(),
            "config.capacity_profiles[0].capacities: at least one is required");
  auto* cc = p->add_capacities();
  cc->set_channel(v1::CHANNEL_CHAT);
  cc->set_max(51);
  EXPECT_EQ(ValidateTenantConfig(c, {}).message(),
            "config.capacity_profiles[0].capacities[0].max: must be 0..50");
  cc->set_max(3);
  *c.add_capacity_profiles() = *p;
  EXPECT_EQ(ValidateTenantConfig(c, {}).message(),
            "config.capacity_profiles[1].name: duplicate profile name");
}

}  // namespace
}  // namespace omniroute
