// The workload a feed records: arrivals with their classification, handle time and patience,
// the roster over time; and what a recording measured (pure logic, no Redis).
#include "services/whatif/workload_builder.h"

#include <gtest/gtest.h>

#include <random>

#include "services/whatif/replay_stats.h"

namespace omniroute::whatif {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

v1::Event Ev(const std::string& type, int64_t at, const std::string& id,
             std::map<std::string, std::string> detail = {}, const std::string& agent = "",
             const std::string& queue = "") {
  v1::Event e;
  e.set_type(type);
  e.set_at_ms(kStart + at);
  e.set_interaction_id(id);
  e.set_agent_id(agent);
  e.set_queue(queue);
  e.set_channel(v1::CHANNEL_CHAT);
  for (auto& [k, v] : detail) (*e.mutable_detail())[k] = v;
  return e;
}

v1::Queue Queue(const std::string& name, int sla_s) {
  v1::Queue q;
  q.set_name(name);
  q.add_channels(v1::CHANNEL_CHAT);
  q.set_sla_threshold_seconds(sla_s);
  return q;
}

TEST(WorkloadBuilderTest, DerivesArrivalsHandleTimesPatienceAndOutcomes) {
  v1::AgentView ann;
  ann.set_agent_id("ann");
  ann.set_state(v1::AGENT_STATE_AVAILABLE);
  WorkloadBuilder b("acme", kStart, {}, {Queue("support", 2)}, {ann});
  b.Add(Ev("submitted", -5, "before"));  // before the window: left out
  b.Add(Ev("submitted", 100, "x1"));
  b.Add(Ev("classified", 101, "x1", {{"priority", "PRIORITY_P2"}, {"skills", "{\"billing\":3}"}},
           "", "support"));
  b.Add(Ev("accepted", 1600, "x1", {{"wait_ms", "1499"}}, "ann", "support"));
  b.Add(Ev("completed", 4600, "x1", {}, "ann", "support"));
  b.Add(Ev("submitted", 200, "x2"));
  b.Add(Ev("classified", 201, "x2", {{"priority", "PRIORITY_P3"}}, "", "support"));
  b.Add(Ev("canceled", 3200, "x2", {{"from", "queued"}}, "", "support"));
  b.Add(Ev("submitted", 300, "x3"));
  b.Add(Ev("classified", 301, "x3", {{"priority", "PRIORITY_P3"}}, "", "support"));
  // Hung up between classification and routing: the cancel names the queue, but no queue
  // counts it (GetQueueStats), and a replay leaves it out.
  b.Add(Ev("submitted", 400, "x4"));
  b.Add(Ev("classified", 401, "x4", {{"priority", "PRIORITY_P3"}}, "", "support"));
  b.Add(Ev("canceled", 402, "x4", {{"from", "classified"}}, "", "support"));
  b.Add(Ev("agent_state", 5000, "",
           {{"state", "away"}, {"from", "available"}, {"skills", ""}, {"capacity", "{\"2\":3}"}},
           "ann"));
  v1::Workload w = b.Finish(kStart + 10000);

  ASSERT_EQ(w.arrivals_size(), 4);
  const auto& x1 = w.arrivals(0);
  EXPECT_EQ(x1.at_ms(), 100);
  EXPECT_EQ(x1.queue(), "support");
  EXPECT_EQ(x1.priority(), v1::PRIORITY_P2);
  ASSERT_EQ(x1.required_skills_size(), 1);
  EXPECT_EQ(x1.required_skills(0).name(), "billing");
  EXPECT_EQ(x1.outcome(), "answered");
  EXPECT_EQ(x1.wait_ms(), 1499);
  EXPECT_EQ(x1.handle_ms(), 3000);
  EXPECT_EQ(x1.agent_id(), "ann");
  EXPECT_EQ(w.arrivals(1).outcome(), "abandoned");
  EXPECT_EQ(w.arrivals(1).patience_ms(), 3000);
  EXPECT_EQ(w.arrivals(2).outcome(), "open");
  EXPECT_EQ(w.arrivals(3).outcome(), "abandoned");
  EXPECT_EQ(w.arrivals(3).queue(), "");
  // The roster: ann available from the start, then away with 3 chats.
  ASSERT_EQ(w.roster_size(), 2);
  EXPECT_EQ(w.roster(0).state(), v1::AGENT_STATE_AVAILABLE);
  EXPECT_EQ(w.roster(1).at_ms(), 5000);
  EXPECT_EQ(w.roster(1).state(), v1::AGENT_STATE_AWAY);
  ASSERT_EQ(w.roster(1).capacities_size(), 1);
  EXPECT_EQ(w.roster(1).capacities(0).channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(w.roster(1).capacities(0).max(), 3);

  // The recording's own measures: one answered within the 2 s threshold, one abandoned.
  v1::WhatIfRun run = RecordedRun(w);
  ASSERT_GE(run.queues_size(), 1);
  const auto& all = run.queues(0);
  EXPECT_EQ(all.priority(), v1::PRIORITY_UNSPECIFIED);
  EXPECT_EQ(all.answered(), 1);
  EXPECT_EQ(all.abandoned(), 1);
  EXPECT_DOUBLE_EQ(all.service_level_percent(), 50.0);
  EXPECT_DOUBLE_EQ(all.mean_wait_seconds(), 1.499);
  EXPECT_EQ(run.open_at_end(), 1);
  EXPECT_EQ(run.canceled_before_queue(), 1);
  // ann was signed in for the whole 10 s (available, then away), busy 3 s of it.
  EXPECT_DOUBLE_EQ(run.occupancy_percent(), 30.0);
}

TEST(WorkloadBuilderTest, AnAgentsStartStateIsTheOneItLeftAtItsFirstChange) {
  v1::AgentView bob;  // now offline (after the window), but available when it began
  bob.set_agent_id("bob");
  bob.set_state(v1::AGENT_STATE_OFFLINE);
  WorkloadBuilder b("acme", kStart, {}, {}, {bob});
  b.Add(Ev("agent_state", 4000, "", {{"state", "offline"}, {"from", "available"}}, "bob"));
  v1::Workload w = b.Finish(kStart + 8000);
  ASSERT_EQ(w.roster_size(), 2);
  EXPECT_EQ(w.roster(0).state(), v1::AGENT_STATE_AVAILABLE);
  EXPECT_EQ(w.roster(1).state(), v1::AGENT_STATE_OFFLINE);
  EXPECT_EQ(SignedInMs({w.roster().begin(), w.roster().end()}, 8000), 4000);
}

TEST(PatienceModelTest, DrawsBeyondTheKnownWaitFromTheKaplanMeierEstimate) {
  v1::Workload w;
  // Abandoned at 1, 2, 3 s; answered after 0.5 s (censored) and after 10 s.
  for (int64_t p : {1000, 2000, 3000}) {
    auto* a = w.add_arrivals();
    a->set_queue("q");
    a->set_outcome("abandoned");
    a->set_patience_ms(p);
  }
  for (int64_t wait : {500, 10000}) {
    auto* a = w.add_arrivals();
    a->set_queue("q");
    a->set_outcome("answered");
    a->set_wait_ms(wait);
  }
  PatienceModel model(w);
  std::mt19937_64 rng(3);
  int never = 0, at3 = 0;
  for (int i = 0; i < 2000; ++i) {
    auto p = model.Draw("q", 2500, rng);  // only 3 s (or never) lies beyond 2.5 s
    if (!p.has_value()) {
      ++never;
    } else {
      ASSERT_EQ(*p, 3000);
      ++at3;
    }
  }
  // S(2.5 s) = 3/4 * 2/3 = 0.5; S(3 s) = 0.5 * 1/2 = 0.25: half of the mass beyond 2.5 s.
  EXPECT_NEAR(at3 / 2000.0, 0.5, 0.05);
  EXPECT_NEAR(never / 2000.0, 0.5, 0.05);
  EXPECT_FALSE(model.Draw("other", 0, rng).has_value());
}

}  // namespace
}  // namespace omniroute::whatif
