// Bullseye routing steps: the longer work waits, the wider the circle of agents who may take
// it (lower proficiency, dropped skills, agents of added queues), driven by the P:steps timer
// and an injected clock. Also: changing steps or head starts re-scores work already waiting.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

struct StepSpec {
  int after_seconds = 0;
  std::map<std::string, int> lower;
  std::vector<std::string> drop;
  std::vector<std::string> add;
};

class BullseyeTest : public RedisFixture {
 protected:
  static v1::Queue WithSteps(v1::Queue q, const std::vector<StepSpec>& steps) {
    for (const auto& spec : steps) {
      auto* st = q.add_steps();
      st->set_after_seconds(spec.after_seconds);
      for (const auto& [skill, level] : spec.lower) {
        auto* s = st->add_lower_proficiency();
        s->set_name(skill);
        s->set_proficiency(level);
      }
      for (const auto& d : spec.drop) st->add_drop_skills(d);
      for (const auto& a : spec.add) st->add_add_queues(a);
    }
    return q;
  }

  void Put(const v1::Queue& q) {
    auto st = ValidateQueue(q);
    ASSERT_TRUE(st.ok()) << st;
    auto r = engine_->PutQueue(kTenant, q);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  static intake::Submission Email(const std::string& subject, int priority,
                                  const std::string& queue) {
    intake::Submission s = Chat(subject, priority, queue);
    s.channel = v1::CHANNEL_EMAIL;
    return s;
  }

  // Advances the clock and fires due timers (offer deadlines, steps, one re-score chunk).
  void Tick(int64_t ms) {
    clock_.Advance(ms);
    ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  }

  std::string Step(const std::string& id) { return HGet(keys_.Interaction(id), "step"); }

  v1::RoutingDecision LastDecision(const std::string& id) {
    auto r = engine_->Explain(kTenant, id);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->decisions().empty()) return {};
    return r->decisions(r->decisions_size() - 1);
  }
};

// The example: a P3 email needing billing 4 is offered to a proficiency-2 agent only
// once its 20 s step opens.
TEST_F(BullseyeTest, AProficiencyTwoAgentGetsTheEmailOnlyAfterItsTwentySecondStepOpens) {
  Put(WithSteps(MakeQueue("billing", {v1::CHANNEL_EMAIL}, {{"billing", 4}}),
                {{20, {{"billing", 2}}, {}, {}}}));
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_EMAIL, 5}}, {{"billing", 2}}).ok());
  std::string id = SubmitAndRoute(Email("refund", 3, "billing"));
  EXPECT_EQ(State(id), "queued");
  Tick(19999);
  EXPECT_EQ(State(id), "queued") << "the step opened early";
  EXPECT_EQ(Step(id), "0");
  Tick(1);
  EXPECT_EQ(State(id), "offered");
  EXPECT_EQ(OfferedTo(id), "bob");
  EXPECT_EQ(Step(id), "1");
  auto d = LastDecision(id);
  EXPECT_EQ(d.trigger(), "step_opened");
  EXPECT_EQ(d.step(), 1);
  ASSERT_EQ(d.step_required_skills_size(), 1);
  EXPECT_EQ(d.step_required_skills(0).name(), "billing");
  EXPECT_EQ(d.step_required_skills(0).proficiency(), 2);
  auto types = EventTypes(id);
  EXPECT_NE(std::find(types.begin(), types.end(), "step_opened"), types.end());
  EXPECT_EQ(Int({"ZCARD", keys_.prefix() + ":steps"}), 0) << "the last step leaves no timer";
}

TEST_F(BullseyeTest, AnExpertGetsTheWorkAtOnceWithoutWaitingForAStep) {
  Put(WithSteps(MakeQueue("billing", {v1::CHANNEL_EMAIL}, {{"billing", 4}}),
                {{20, {{"billing", 2}}, {}, {}}}));
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_EMAIL, 5}}, {{"billing", 2}}).ok());
  ASSERT_TRUE(Login("eve", {{v1::CHANNEL_EMAIL, 5}}, {{"billing", 5}}).ok());
  std::string id = SubmitAndRoute(Email("refund", 3, "billing"));
  EXPECT_EQ(OfferedTo(id), "eve");
  EXPECT_EQ(LastDecision(id).step(), 0);
  ASSERT_TRUE(engine_->Accept(kTenant, "eve", id).ok());
  Tick(30000);  // the step timer of assigned work does nothing
  EXPECT_EQ(State(id), "assigned");
  EXPECT_EQ(Int({"ZCARD", keys_.prefix() + ":steps"}), 0);
}

TEST_F(BullseyeTest, StepsAreCumulativeAndOpenInOrder) {
  Put(WithSteps(MakeQueue("tech", {v1::CHANNEL_CHAT}, {{"network", 5}, {"spanish", 3}}),
                {{10, {{"network", 3}}, {}, {}}, {30, {{"network", 1}}, {"spanish"}, {}}}));
  ASSERT_TRUE(Login("ana", {{v1::CHANNEL_CHAT, 1}}, {{"network", 2}, {"spanish", 4}}).ok());
  ASSERT_TRUE(Login("ben", {{v1::CHANNEL_CHAT, 1}}, {{"network", 4}}).ok());
  std::string id = SubmitAndRoute(Chat("router down", 3, "tech"));
  Tick(10000);  // step 1: network 3, spanish 3 still required: neither qualifies
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(Step(id), "1");
  Tick(19999);
  EXPECT_EQ(State(id), "queued");
  Tick(1);  // step 2: network 1, spanish dropped: both qualify; ana idle longest
  EXPECT_EQ(State(id), "offered");
  EXPECT_EQ(OfferedTo(id), "ana");
  auto d = LastDecision(id);
  EXPECT_EQ(d.step(), 2);
  ASSERT_EQ(d.step_required_skills_size(), 1);
  EXPECT_EQ(d.step_required_skills(0).name(), "network");
  EXPECT_EQ(d.step_required_skills(0).proficiency(), 1);
}

TEST_F(BullseyeTest, ALateTimerOpensEveryStepWhoseThresholdPassed) {
  Put(WithSteps(MakeQueue("tech", {v1::CHANNEL_CHAT}, {{"network", 5}}),
                {{10, {{"network", 4}}, {}, {}}, {20, {{"network", 2}}, {}, {}}}));
  std::string id = SubmitAndRoute(Chat("router down", 3, "tech"));
  Tick(25000);  // one poll, late: both steps are due
  EXPECT_EQ(Step(id), "2");
  ASSERT_TRUE(Login("ana", {{v1::CHANNEL_CHAT, 1}}, {{"network", 2}}).ok());
  EXPECT_EQ(OfferedTo(id), "ana") << "an agent logging in is offered work at a step it meets";
}

TEST_F(BullseyeTest, AStepAddsTheAgentsOfAnotherQueue) {
  AddQueue("general", {v1::CHANNEL_CHAT}, {{"general", 1}});
  Put(WithSteps(MakeQueue("vip", {v1::CHANNEL_CHAT}, {{"vip", 3}}), {{30, {}, {}, {"general"}}}));
  ASSERT_TRUE(Login("gus", {{v1::CHANNEL_CHAT, 2}}, {{"general", 2}}).ok());
  ASSERT_TRUE(Login("nobody", {{v1::CHANNEL_CHAT, 2}}, {{"other", 5}}).ok());
  std::string id = SubmitAndRoute(Chat("gold member", 3, "vip"));
  Tick(29999);
  EXPECT_EQ(State(id), "queued");
  Tick(1);
  EXPECT_EQ(OfferedTo(id), "gus");
  auto d = LastDecision(id);
  ASSERT_EQ(d.step_added_queues_size(), 1);
  EXPECT_EQ(d.step_added_queues(0), "general");
  // "nobody" serves neither queue and is never a candidate.
  for (const auto& c : d.candidates()) EXPECT_NE(c.agent_id(), "nobody");
}

TEST_F(BullseyeTest, WorkDeclinedAtAStepWaitsAtThatStepForTheNextAgent) {
  Put(WithSteps(MakeQueue("billing", {v1::CHANNEL_CHAT}, {{"billing", 4}}),
                {{20, {{"billing", 2}}, {}, {}}}));
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 2}}).ok());
  std::string id = SubmitAndRoute(Chat("refund", 3, "billing"));
  Tick(20000);
  ASSERT_EQ(OfferedTo(id), "bob");
  ASSERT_TRUE(engine_->Reject(kTenant, "bob", id, "busy").ok());
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(Step(id), "1");
  ASSERT_TRUE(Login("cat", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 3}}).ok());
  EXPECT_EQ(OfferedTo(id), "cat") << "a billing-3 agent qualifies at step 1";
}

TEST_F(BullseyeTest, OlderWorkAtAStepGoesBeforeNewerWorkTheAgentQualifiesForAnyway) {
  Put(WithSteps(MakeQueue("billing", {v1::CHANNEL_CHAT}, {{"billing", 4}}),
                {{20, {{"billing", 2}}, {}, {}}}));
  std::string old_item = SubmitAndRoute(Chat("old", 3, "billing"));
  Tick(25000);
  std::string new_item = SubmitAndRoute(Chat("new", 3, "billing"));
  ASSERT_TRUE(Login("eve", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 5}}).ok());
  EXPECT_EQ(OfferedTo(old_item), "eve");
  EXPECT_EQ(State(new_item), "queued");
}

TEST_F(BullseyeTest, NewStepsReachWorkAlreadyWaiting) {
  AddQueue("billing", {v1::CHANNEL_CHAT}, {{"billing", 4}});
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}, {{"billing", 2}}).ok());
  std::string id = SubmitAndRoute(Chat("refund", 3, "billing"));
  Tick(15000);
  EXPECT_EQ(State(id), "queued");
  Put(WithSteps(MakeQueue("billing", {v1::CHANNEL_CHAT}, {{"billing", 4}}),
                {{10, {{"billing", 2}}, {}, {}}}));
  EXPECT_EQ(State(id), "queued") << "re-scoring runs in the background, not in PutQueue";
  Tick(0);
  EXPECT_EQ(Step(id), "1");
  EXPECT_EQ(OfferedTo(id), "bob");
  bool rescored = false;
  for (const auto& e : XRange(keys_.Events())) rescored |= e["type"] == "rescored";
  EXPECT_TRUE(rescored);
}

TEST_F(BullseyeTest, ShorterStepsMoveWaitingWorkBackAndRetireTheExtraStepQueues) {
  Put(WithSteps(MakeQueue("tech", {v1::CHANNEL_CHAT}, {{"network", 5}}),
                {{10, {{"network", 4}}, {}, {}}, {20, {{"network", 2}}, {}, {}}}));
  std::string id = SubmitAndRoute(Chat("router down", 3, "tech"));
  Tick(20000);
  ASSERT_EQ(Step(id), "2");
  Put(WithSteps(MakeQueue("tech", {v1::CHANNEL_CHAT}, {{"network", 5}}),
                {{10, {{"network", 4}}, {}, {}}}));
  // Until the re-score moved it, the work keeps the widest rules it had.
  EXPECT_EQ(HGet(keys_.QueueConfig("tech"), "nvq"), "2");
  EXPECT_EQ(HGet(keys_.QueueConfig("tech#2"), "retired"), "1");
  Tick(0);
  EXPECT_EQ(Step(id), "1");
  EXPECT_EQ(HGet(keys_.QueueConfig("tech"), "nvq"), "1");
  EXPECT_EQ(Int({"EXISTS", keys_.QueueConfig("tech#2")}), 0);
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}, {{"network", 2}}).ok());
  EXPECT_EQ(State(id), "queued") << "network 2 no longer qualifies";
  ASSERT_TRUE(Login("ned", {{v1::CHANNEL_CHAT, 1}}, {{"network", 4}}).ok());
  EXPECT_EQ(OfferedTo(id), "ned");
}

TEST_F(BullseyeTest, NewHeadStartsReorderWorkAlreadyWaitingInChunks) {
  AddQueue("support", {v1::CHANNEL_CHAT});
  RouteAllTo("support");
  // 450 P4 items, then one P3 item 10 s later: with the default head starts (P3 30 s, P4 0)
  // the P3 item is first.
  std::vector<std::string> p4;
  for (int i = 0; i < 450; ++i) p4.push_back(Submit(Chat("p4", 4, "support")));
  Pump();
  clock_.Advance(10000);
  std::string p3 = SubmitAndRoute(Chat("p3", 3, "support"));
  v1::TenantConfig c;
  c.set_default_queue("support");
  for (int s : {0, 0, 0, 0}) c.add_priority_head_start_seconds(s);
  SetConfig(c);
  // 451 waiting, 200 per chunk: three polls.
  std::string field = "support|" + std::to_string(v1::CHANNEL_CHAT);
  Tick(0);
  EXPECT_FALSE(HGet(keys_.prefix() + ":rescore", field).empty()) << "cursor after chunk 1";
  Tick(0);
  EXPECT_FALSE(HGet(keys_.prefix() + ":rescore", field).empty()) << "cursor after chunk 2";
  Tick(0);
  EXPECT_EQ(Int({"HLEN", keys_.prefix() + ":rescore"}), 0);
  for (const auto& id : p4) {
    ASSERT_EQ(HGet(keys_.Interaction(id), "score"), HGet(keys_.Interaction(id), "queued_ms")) << id;
  }
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(State(p3), "queued") << "FIFO now: an older P4 item goes first";
  int offered = 0;
  for (const auto& id : p4) offered += OfferedTo(id) == "ann" ? 1 : 0;
  EXPECT_EQ(offered, 1);
}

TEST_F(BullseyeTest, AQueuesOwnHeadStartsOverrideTheTenants) {
  v1::Queue q = MakeQueue("fifo", {v1::CHANNEL_CHAT});
  for (int s : {0, 0, 0, 0}) q.add_priority_head_start_seconds(s);
  Put(q);
  std::string p4 = SubmitAndRoute(Chat("first", 4, "fifo"));
  clock_.Advance(1000);
  std::string p1 = SubmitAndRoute(Chat("second", 1, "fifo"));
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(OfferedTo(p4), "ann");
  EXPECT_EQ(State(p1), "queued");
}

TEST_F(BullseyeTest, InvalidStepsNameTheField) {
  auto error = [](const v1::Queue& q) { return std::string(ValidateQueue(q).message()); };
  v1::Queue base = MakeQueue("q", {v1::CHANNEL_CHAT}, {{"billing", 4}, {"spanish", 2}});
  EXPECT_EQ(error(WithSteps(base, {{0, {{"billing", 2}}, {}, {}}})),
            "queue.steps[0].after_seconds: must be 1..86400");
  EXPECT_EQ(error(WithSteps(base, {{20, {{"billing", 3}}, {}, {}}, {20, {}, {"spanish"}, {}}})),
            "queue.steps[1].after_seconds: must be greater than the step before");
  EXPECT_EQ(error(WithSteps(base, {{20, {}, {}, {}}})),
            "queue.steps[0]: must lower a proficiency, drop a skill or add a queue");
  EXPECT_EQ(error(WithSteps(base, {{20, {{"billing", 4}}, {}, {}}})),
            "queue.steps[0].lower_proficiency[0].proficiency: must be lower than 4");
  EXPECT_EQ(error(WithSteps(base, {{20, {{"french", 1}}, {}, {}}})),
            "queue.steps[0].lower_proficiency[0].name: 'french' is not required at this step");
  EXPECT_EQ(error(WithSteps(base, {{10, {}, {"spanish"}, {}}, {20, {{"spanish", 1}}, {}, {}}})),
            "queue.steps[1].lower_proficiency[0].name: 'spanish' is not required at this step");
  EXPECT_EQ(error(WithSteps(base, {{20, {}, {"q"}, {}}})),
            "queue.steps[0].drop_skills[0]: 'q' is not required at this step");
  EXPECT_EQ(error(WithSteps(base, {{20, {}, {}, {"q"}}})),
            "queue.steps[0].add_queues[0]: must not be the queue itself");
  std::vector<StepSpec> nine;
  for (int i = 1; i <= 9; ++i) nine.push_back({i, {}, {}, {"other" + std::to_string(i)}});
  EXPECT_EQ(error(WithSteps(base, nine)), "queue.steps: more than 8");
  v1::Queue heads = base;
  for (int s : {10, 20, 0, 0}) heads.add_priority_head_start_seconds(s);
  EXPECT_EQ(error(heads), "queue.priority_head_start_seconds: must not increase from P1 to P4");
}

TEST_F(BullseyeTest, DeletingAQueueThatAStepAddsTakesItsAgentsOutOfTheStep) {
  AddQueue("general", {v1::CHANNEL_CHAT}, {{"general", 1}});
  Put(WithSteps(MakeQueue("vip", {v1::CHANNEL_CHAT}, {{"vip", 3}}), {{30, {}, {}, {"general"}}}));
  ASSERT_TRUE(Login("gus", {{v1::CHANNEL_CHAT, 2}}, {{"general", 2}}).ok());
  EXPECT_EQ(Int({"SISMEMBER", keys_.prefix() + ":agq:gus", "vip#1"}), 1);
  ASSERT_TRUE(engine_->DeleteQueue(kTenant, "general").ok());
  EXPECT_EQ(Int({"SISMEMBER", keys_.prefix() + ":agq:gus", "vip#1"}), 0);
  std::string id = SubmitAndRoute(Chat("gold member", 3, "vip"));
  Tick(30000);
  EXPECT_EQ(State(id), "queued");
}

}  // namespace
}  // namespace omniroute
