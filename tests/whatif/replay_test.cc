// What-if replays on a real redis-server (the scratch one the product starts): waits that can
// be worked out by hand, bullseye steps on the virtual clock, abandonment, proposals, and bad
// input named.
#include "services/whatif/replay.h"

#include <gtest/gtest.h>

#include "services/whatif/scratch_redis.h"
#include "services/whatif/what_if.h"

namespace omniroute::whatif {
namespace {

constexpr int64_t kStart = 1'767'225'600'000;

v1::Queue Queue(const std::string& name, int sla_s) {
  v1::Queue q;
  q.set_name(name);
  q.add_channels(v1::CHANNEL_CHAT);
  q.set_sla_threshold_seconds(sla_s);
  q.set_sla_target_percent(80);
  return q;
}

v1::WorkloadAgentChange Agent(const std::string& id, std::map<std::string, int> skills,
                              int64_t at_ms = 0) {
  v1::WorkloadAgentChange c;
  c.set_at_ms(at_ms);
  c.set_agent_id(id);
  c.set_state(v1::AGENT_STATE_AVAILABLE);
  for (const auto& [name, level] : skills) {
    auto* s = c.add_skills();
    s->set_name(name);
    s->set_proficiency(level);
  }
  auto* cap = c.add_capacities();
  cap->set_channel(v1::CHANNEL_CHAT);
  cap->set_max(1);
  return c;
}

v1::WorkloadArrival* Arrive(v1::Workload& w, int64_t at, int64_t handle, int64_t patience = 0) {
  auto* a = w.add_arrivals();
  a->set_at_ms(at);
  a->set_channel(v1::CHANNEL_CHAT);
  a->set_queue("support");
  a->set_priority(v1::PRIORITY_P3);
  a->set_handle_ms(handle);
  a->set_patience_ms(patience);
  a->set_outcome(patience > 0 ? "abandoned" : "answered");
  return a;
}

v1::Workload Base(int64_t window_ms) {
  v1::Workload w;
  w.set_tenant_id("acme");
  w.set_start_ms(kStart);
  w.set_end_ms(kStart + window_ms);
  *w.add_queues() = Queue("support", 2);
  return w;
}

class ReplayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = ScratchRedis::Start("redis-server");
    ASSERT_TRUE(r.ok()) << r.status();
    redis_ = std::move(*r);
  }
  static void TearDownTestSuite() { redis_.reset(); }

  v1::WhatIfRun Run(const v1::Workload& w, const ReplayInput& in) {
    auto run = Replay(redis_->endpoint(), w, in, ReplayOptions{});
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? *run : v1::WhatIfRun{};
  }
  static const v1::WhatIfQueueResult& All(const v1::WhatIfRun& run, const std::string& q) {
    for (const auto& r : run.queues()) {
      if (r.queue() == q && r.priority() == v1::PRIORITY_UNSPECIFIED) return r;
    }
    static v1::WhatIfQueueResult none;
    ADD_FAILURE() << "no result for queue " << q;
    return none;
  }

  static std::unique_ptr<ScratchRedis> redis_;
};
std::unique_ptr<ScratchRedis> ReplayTest::redis_;

// One agent, arrivals at 0, 1.0 and 1.5 s, each held 2 s: answered at 0, 2 and 4 s, so the
// waits are 0, 1.0 and 2.5 s (the last one beyond the 2 s threshold).
TEST_F(ReplayTest, ServesInArrivalOrderWithTheRecordedHandleTimes) {
  v1::Workload w = Base(20000);
  *w.add_roster() = Agent("ann", {});
  Arrive(w, 0, 2000);
  Arrive(w, 1000, 2000);
  Arrive(w, 1500, 2000);
  v1::WhatIfRun run = Run(w, CurrentInput(w));
  const auto& s = All(run, "support");
  EXPECT_EQ(s.answered(), 3);
  EXPECT_EQ(s.answered_within_sla(), 2);
  EXPECT_NEAR(s.mean_wait_seconds(), (0 + 1.0 + 2.5) / 3, 0.002);
  EXPECT_NEAR(s.service_level_percent(), 200.0 / 3, 0.01);
  EXPECT_EQ(run.open_at_end(), 0);
  // 6 s of work in 20 s signed in.
  EXPECT_NEAR(run.occupancy_percent(), 30.0, 0.01);
}

TEST_F(ReplayTest, CustomersGiveUpAtTheirPatience) {
  v1::Workload w = Base(20000);
  *w.add_roster() = Agent("ann", {});
  Arrive(w, 0, 5000);
  Arrive(w, 100, 5000, /*patience=*/1500);  // the agent is busy until 5 s
  v1::WhatIfRun run = Run(w, CurrentInput(w));
  const auto& s = All(run, "support");
  EXPECT_EQ(s.answered(), 1);
  EXPECT_EQ(s.abandoned(), 1);
  EXPECT_DOUBLE_EQ(s.service_level_percent(), 50.0);
}

// A queue that needs billing 3; ann has billing 1. A bullseye step after 3 s accepts 1: the
// work is answered once the step opens (on the 100 ms timer, like the routing replicas);
// without the step it is never answered; with a billing-3 agent added, at once.
TEST_F(ReplayTest, BullseyeStepsOpenOnTheVirtualClockAndProposalsChangeTheOutcome) {
  v1::Workload w = Base(10000);
  v1::Queue q = Queue("support", 2);
  auto* req = q.add_required_skills();
  req->set_name("billing");
  req->set_proficiency(3);
  auto* step = q.add_steps();
  step->set_after_seconds(3);
  auto* lower = step->add_lower_proficiency();
  lower->set_name("billing");
  lower->set_proficiency(1);
  *w.mutable_queues(0) = q;
  *w.add_roster() = Agent("ann", {{"billing", 1}});
  Arrive(w, 0, 1000);
  v1::WhatIfRun current = Run(w, CurrentInput(w));
  EXPECT_EQ(All(current, "support").answered(), 1);
  EXPECT_GE(All(current, "support").mean_wait_seconds(), 3.0);
  EXPECT_LE(All(current, "support").mean_wait_seconds(), 3.2);

  v1::WhatIfProposal no_step;
  *no_step.add_queues() = q;
  no_step.mutable_queues(0)->clear_steps();
  auto in = ProposedInput(w, no_step);
  ASSERT_TRUE(in.ok()) << in.status();
  v1::WhatIfRun without = Run(w, *in);
  EXPECT_EQ(All(without, "support").answered(), 0);
  EXPECT_EQ(without.open_at_end(), 1);

  v1::WhatIfProposal staff;
  *staff.add_agents() = Agent("expert", {{"billing", 4}});
  in = ProposedInput(w, staff);
  ASSERT_TRUE(in.ok()) << in.status();
  v1::WhatIfRun staffed = Run(w, *in);
  EXPECT_EQ(All(staffed, "support").answered(), 1);
  EXPECT_LT(All(staffed, "support").mean_wait_seconds(), 0.01);
}

TEST_F(ReplayTest, WorkNotAnsweredInTheRecordingDrawsARecordedHandleTimeSeeded) {
  v1::Workload w = Base(60000);
  *w.add_roster() = Agent("ann", {});
  Arrive(w, 0, 4000);
  Arrive(w, 100, 0, /*patience=*/2000)->set_outcome("abandoned");  // gave up in the recording
  Arrive(w, 200, 0)->set_outcome("open");
  v1::WhatIfProposal more;
  *more.add_agents() = Agent("bob", {});
  *more.add_agents() = Agent("cy", {});
  auto in = ProposedInput(w, more);
  ASSERT_TRUE(in.ok());
  v1::WhatIfRun a = Run(w, *in), b = Run(w, *in);
  EXPECT_EQ(All(a, "support").answered(), 3);
  // Every handle time is the only one recorded (4 s): 12 s of work in 3 x 60 s.
  EXPECT_NEAR(a.occupancy_percent(), 100.0 * 12 / 180, 0.01);
  // The same seed gives the same run (but for the wall time it took).
  a.clear_elapsed_seconds();
  b.clear_elapsed_seconds();
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
}

TEST(WhatIfInputTest, BadWorkloadsAndProposalsAreRefusedNamingTheField) {
  v1::Workload w = Base(10000);
  Arrive(w, 0, 1000)->set_queue("nope");
  auto st = ValidateWorkload(w);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("workload.arrivals[0].queue"), std::string::npos) << st;

  v1::Workload ok = Base(10000);
  *ok.add_roster() = Agent("ann", {});
  v1::WhatIfProposal p;
  *p.add_queues() = Queue("support", 2);
  p.mutable_queues(0)->set_overflow_queue("missing");
  auto in = ProposedInput(ok, p);
  EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(in.status().message().find("overflow_queue"), std::string::npos) << in.status();

  v1::WhatIfProposal gone;
  gone.add_remove_agents("zed");
  in = ProposedInput(ok, gone);
  EXPECT_NE(in.status().message().find("proposal.remove_agents[0]"), std::string::npos);

  v1::RunWhatIfRequest req;
  *req.mutable_workload() = ok;
  auto run = RunWhatIf(req, "/nonexistent/redis-server");
  EXPECT_EQ(run.status().code(), absl::StatusCode::kFailedPrecondition) << run.status();
}

}  // namespace
}  // namespace omniroute::whatif
