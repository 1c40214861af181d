// The idle check (idle_check.lua through IdleSampler) can fail: hand-built Redis states, no
// routing service. Each state holds, or not, an available agent left idle beside waiting work
// it may take, and the sampler must say so.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/idle_sampler.h"
#include "tests/support/redis_server.h"

namespace omniroute {
namespace {

using e2e::Cmd;
using e2e::IdleReport;
using e2e::IdleSampler;
using e2e::kIdleLimitMs;
using e2e::kSampleEveryMs;
using e2e::Prefix;
using e2e::WallMs;

class IdleCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = redis_.Connect();
    // One available agent (chat capacity 2, holding nothing, billing 3) and one chat item of
    // queue q1 (billing >= 2) waiting for 5 s: the agent is eligible and idle.
    Put({"SADD", P + ":agents", "a1"});
    Put({"HSET", P + ":ag:a1", "state", "available", "cap:1", "1", "cap:2", "2", "load:2", "0",
         "offer_ms", "1", "idle_ms", "1"});
    Put({"HSET", P + ":agsk:a1", "billing", "3"});
    Put({"SADD", P + ":queues", "q1"});
    Put({"HSET", P + ":qc:q1", "channels", "1,2", "skills", "{\"billing\":2}"});
    AddWaiting("ix1", "2", "{}");
  }

  void Put(const std::vector<std::string>& argv) {
    auto r = Cmd(*conn_, argv);
    ASSERT_FALSE(r.is_error()) << r.str;
  }

  void AddWaiting(const std::string& id, const std::string& ch, const std::string& skills) {
    Put({"ZADD", P + ":qt:q1:" + ch, std::to_string(WallMs() - 5000), id});
    Put({"HSET", P + ":ix:" + id, "state", "queued", "queue", "q1", "channel", ch, "skills",
         skills});
  }

  // Samples for `ms` and returns what the sampler saw.
  IdleReport Run(int ms, const std::string& steps_json = "{}") {
    IdleSampler sampler(redis_, P, kIdleLimitMs, steps_json);
    sampler.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    sampler.Stop();
    auto report = sampler.Report();
    EXPECT_EQ(report.failed, 0) << absl::StrJoin(report.examples, "\n");
    EXPECT_GE(report.samples, ms / kSampleEveryMs / 2);
    return report;
  }

  testing::RedisServer redis_;
  std::unique_ptr<redis::Connection> conn_;
  const std::string P = Prefix("idle");
};

TEST_F(IdleCheck, FlagsAnEligibleAgentLeftIdleBesideWaitingWork) {
  auto report = Run(300);
  EXPECT_EQ(report.violations, 1) << absl::StrJoin(report.examples, "\n");
  EXPECT_GT(report.max_idle_ms, kIdleLimitMs);
  EXPECT_EQ(report.episodes, 1);
  ASSERT_FALSE(report.examples.empty());
  EXPECT_NE(report.examples[0].find("agent a1 idle beside ix1"), std::string::npos);
}

// Bullseye steps widen eligibility once open (threshold plus grace), not before: the item has
// waited 5 s; the agent (billing 3) qualifies only through a step that lowers billing to 3.
TEST_F(IdleCheck, AStepMakesAnAgentEligibleOnlyOnceItIsOpen) {
  Put({"HSET", P + ":qc:q1", "skills", "{\"billing\":4}"});
  auto lowered_after = [](int ms) {
    return absl::StrCat("{\"q1\":[{\"ms\":", ms, ",\"skills\":{\"billing\":3},\"add\":[]}]}");
  };
  EXPECT_EQ(Run(300, lowered_after(60000)).violations, 0) << "step not open yet";
  EXPECT_EQ(Run(300, lowered_after(1000)).violations, 1) << "step open for 4 s";
  // A step adding queue q2, whose skills the agent has, makes it eligible too.
  Put({"HSET", P + ":qc:q2", "channels", "2", "skills", "{\"billing\":1}"});
  EXPECT_EQ(
      Run(300, "{\"q1\":[{\"ms\":1000,\"skills\":{\"billing\":4},\"add\":[\"q2\"]}]}").violations,
      1);
}

TEST_F(IdleCheck, AgentLackingTheQueueSkillIsNotEligible) {
  Put({"HSET", P + ":agsk:a1", "billing", "1"});
  auto report = Run(300);
  EXPECT_EQ(report.violations, 0);
  EXPECT_EQ(report.episodes, 0);
}

TEST_F(IdleCheck, EligibilityFollowsStateCapacitySkillsSkipsAndExclusiveChannels) {
  auto episodes = [&] { return Run(60).episodes; };
  // The item's own skills (from classification) count.
  Put({"HSET", P + ":ix:ix1", "skills", "{\"fraud\":1}"});
  EXPECT_EQ(episodes(), 0);
  Put({"HSET", P + ":agsk:a1", "fraud", "1"});
  EXPECT_EQ(episodes(), 1);
  // An agent skipped for the item (it declined or missed it) is not eligible until then.
  Put({"ZADD", P + ":skip:ix1", std::to_string(WallMs() + 60000), "a1"});
  EXPECT_EQ(episodes(), 0);
  Put({"ZADD", P + ":skip:ix1", std::to_string(WallMs() - 1), "a1"});
  EXPECT_EQ(episodes(), 1);
  // Away, or at capacity: not eligible.
  Put({"HSET", P + ":ag:a1", "state", "away"});
  EXPECT_EQ(episodes(), 0);
  Put({"HSET", P + ":ag:a1", "state", "available", "load:2", "2"});
  EXPECT_EQ(episodes(), 0);
  Put({"HSET", P + ":ag:a1", "load:2", "1"});
  EXPECT_EQ(episodes(), 1);
  // Voice (exclusive by default) goes only to an agent holding nothing on another channel...
  Put({"ZREM", P + ":qt:q1:2", "ix1"});
  AddWaiting("ix2", "1", "{}");
  EXPECT_EQ(episodes(), 0);
  Put({"HSET", P + ":ag:a1", "load:2", "0"});
  EXPECT_EQ(episodes(), 1);
  // ... and an agent holding voice takes nothing else (chat capacity 2 is free).
  Put({"HSET", P + ":ag:a1", "cap:1", "2", "load:1", "1"});
  Put({"ZADD", P + ":qt:q1:2", std::to_string(WallMs() - 5000), "ix1"});
  EXPECT_EQ(episodes(), 1);  // the second voice slot, for ix2
  Put({"HSET", P + ":ag:a1", "cap:1", "1"});
  EXPECT_EQ(episodes(), 0);
  Put({"ZREM", P + ":qt:q1:2", "ix1"});
  Put({"HSET", P + ":ag:a1", "load:1", "0"});
  // Not exclusive: voice beside chat work.
  Put({"HSET", P + ":ag:a1", "load:2", "1"});
  Put({"HSET", P + ":cfg", "exclusive", ""});
  EXPECT_EQ(episodes(), 1);
  // Work reserved for its preferred agent waits for that agent alone.
  Put({"HSET", P + ":ix:ix2", "reserved", "a2"});
  EXPECT_EQ(episodes(), 0);
  // An item in a waiting set whose state is not 'queued' is reported as stale.
  Put({"HSET", P + ":ix:ix2", "state", "offered"});
  EXPECT_GT(Run(60).stale, 0);
}

}  // namespace
}  // namespace omniroute
