// Routing decisions of the real services: work conservation when the head of a queue holds
// work that no logged-in agent can take, and when more agents are free than one decision looks
// at.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using sim::ApiClient;

v1::Interaction Get(ApiClient& api, const std::string& key, const std::string& id) {
  v1::GetInteractionRequest g;
  g.set_interaction_id(id);
  v1::GetInteractionResponse gr;
  (void)api.intake().GetInteraction(ApiClient::Context(key).get(), g, &gr);
  return gr.interaction();
}

using e2e::LogIn;

// Work conservation (DESIGN.md): while eligible work waits and an eligible agent has free
// capacity, an offer is made promptly -- also when the first waiting interactions need a skill
// nobody logged in has, and when more agents are free than a single decision inspects.
TEST(WorkConservationE2E, EligibleWorkBehindUnservableWorkIsOfferedToAFreeAgent) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("conserve");
  ApiClient api(cluster.endpoints());
  ASSERT_TRUE(e2e::PutQueue(api, keys["admin"], "chat", {v1::CHANNEL_CHAT}).ok());
  {
    v1::PutTenantConfigRequest c;
    auto* rule = c.mutable_config()->add_rules();
    rule->set_name("spanish");
    rule->add_keywords("spanish");
    rule->set_category("spanish");
    auto* skill = rule->add_required_skills();
    skill->set_name("spanish");
    skill->set_proficiency(1);
    rule->set_queue("chat");
    c.mutable_config()->set_default_queue("chat");
    v1::PutTenantConfigResponse cr;
    auto st = api.admin().PutTenantConfig(ApiClient::Context(keys["admin"]).get(), c, &cr);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  const std::string integrator = keys["integrator"];

  // Ten interactions that need Spanish wait at the head of the queue, then one for anybody.
  std::vector<std::string> spanish;
  for (int i = 0; i < 10; ++i) {
    spanish.push_back(
        e2e::SubmitChat(api, integrator, "Necesito ayuda, spanish please " + std::to_string(i)));
  }
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        for (const auto& id : spanish) {
          if (Get(api, integrator, id).state() != v1::INTERACTION_STATE_QUEUED) return false;
        }
        return true;
      },
      std::chrono::seconds(10)));
  std::string plain = e2e::SubmitChat(api, integrator, "My card does not work");
  ASSERT_TRUE(e2e::WaitFor(
      [&] { return Get(api, integrator, plain).state() == v1::INTERACTION_STATE_QUEUED; },
      std::chrono::seconds(10)));

  // A free agent without Spanish must get the interaction it can serve.
  ASSERT_TRUE(LogIn(api, keys["agent"], "agent-plain", {}).ok());
  bool offered = e2e::WaitFor(
      [&] {
        auto ix = Get(api, integrator, plain);
        return ix.state() == v1::INTERACTION_STATE_OFFERED && ix.agent_id() == "agent-plain";
      },
      std::chrono::seconds(5));
  EXPECT_TRUE(offered) << "an idle agent was not offered the only interaction it can serve "
                          "because ten interactions it cannot serve wait ahead of it";

  // 20 agents without Spanish log in, then one with it: the Spanish speaker must get work.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(LogIn(api, keys["agent"], "filler-" + std::to_string(i), {}).ok());
  }
  ASSERT_TRUE(LogIn(api, keys["agent"], "agent-es", {"spanish"}).ok());
  bool es_offered = e2e::WaitFor(
      [&] {
        for (const auto& id : spanish) {
          auto ix = Get(api, integrator, id);
          if (ix.state() == v1::INTERACTION_STATE_OFFERED && ix.agent_id() == "agent-es") {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(5));
  EXPECT_TRUE(es_offered) << "the only agent who speaks Spanish got no offer while ten "
                             "Spanish interactions wait, because 20 other free agents were idle "
                             "longer";
}

grpc::Status SetState(ApiClient& api, const std::string& key, const std::string& agent,
                      v1::AgentState state) {
  v1::SetAgentStateRequest r;
  r.set_agent_id(agent);
  r.set_state(state);
  v1::SetAgentStateResponse resp;
  return api.routing().SetAgentState(ApiClient::Context(key).get(), r, &resp);
}

grpc::Status Accept(ApiClient& api, const std::string& key, const std::string& agent,
                    const std::string& id) {
  v1::AcceptOfferRequest r;
  r.set_agent_id(agent);
  r.set_interaction_id(id);
  v1::AcceptOfferResponse resp;
  return api.routing().AcceptOffer(ApiClient::Context(key).get(), r, &resp);
}

// Logging out withdraws an agent's open offer at once: the work goes to the next free agent
// well before the offer's 4 s deadline, and the logged-out agent's late accept is refused.
TEST(LogoutE2E, LoggingOutRescindsAnOpenOfferAndTheNextAgentGetsItAtOnce) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("logout");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 4);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(LogIn(api, keys["agent"], "l1", {}).ok());
  ASSERT_TRUE(LogIn(api, keys["agent"], "l2", {}).ok());
  std::string id = e2e::SubmitChat(api, keys["integrator"], "My card has not arrived yet");
  std::string first;
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        auto ix = Get(api, keys["integrator"], id);
        first = ix.agent_id();
        return ix.state() == v1::INTERACTION_STATE_OFFERED;
      },
      std::chrono::seconds(5)));
  const std::string second = first == "l1" ? "l2" : "l1";
  auto logged_out = std::chrono::steady_clock::now();
  ASSERT_TRUE(SetState(api, keys["agent"], first, v1::AGENT_STATE_OFFLINE).ok());
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        auto ix = Get(api, keys["integrator"], id);
        return ix.state() == v1::INTERACTION_STATE_OFFERED && ix.agent_id() == second;
      },
      std::chrono::seconds(5)));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - logged_out).count();
  EXPECT_LT(seconds, 2.0) << "the work waited for the logged-out agent's offer deadline (4 s)";
  auto late = Accept(api, keys["agent"], first, id);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << late.error_message();
  EXPECT_TRUE(Accept(api, keys["agent"], second, id).ok());
  EXPECT_EQ(Get(api, keys["integrator"], id).agent_id(), second);
}

// Going away withdraws the open offer too; with nobody else on, the work waits in its queue
// and the agent's late accept is refused instead of assigning it to an agent who is away.
TEST(LogoutE2E, AnAcceptAfterGoingAwayIsRefusedAndTheWorkWaits) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("away");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 4);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(LogIn(api, keys["agent"], "solo", {}).ok());
  std::string id = e2e::SubmitChat(api, keys["integrator"], "My card has not arrived yet");
  ASSERT_TRUE(e2e::WaitFor(
      [&] { return Get(api, keys["integrator"], id).state() == v1::INTERACTION_STATE_OFFERED; },
      std::chrono::seconds(5)));
  ASSERT_TRUE(SetState(api, keys["agent"], "solo", v1::AGENT_STATE_AWAY).ok());
  auto ix = Get(api, keys["integrator"], id);
  EXPECT_EQ(ix.state(), v1::INTERACTION_STATE_QUEUED) << "still offered to an agent who is away";
  auto late = Accept(api, keys["agent"], "solo", id);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << late.error_message();
  EXPECT_EQ(Get(api, keys["integrator"], id).state(), v1::INTERACTION_STATE_QUEUED);
  // Back from away, the agent is offered the work again.
  ASSERT_TRUE(LogIn(api, keys["agent"], "solo", {}).ok());
  EXPECT_TRUE(e2e::WaitFor(
      [&] {
        auto now = Get(api, keys["integrator"], id);
        return now.state() == v1::INTERACTION_STATE_OFFERED && now.agent_id() == "solo";
      },
      std::chrono::seconds(5)));
}

// An agent made AVAILABLE without any capacity is offered nothing: the answer says so.
TEST(AgentStateE2E, LoggingInWithoutCapacityIsAcceptedWithAWarning) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("nocap");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 0);
  if (HasFatalFailure()) return;
  v1::SetAgentStateRequest r;
  r.set_agent_id("zoe");
  r.set_state(v1::AGENT_STATE_AVAILABLE);
  v1::SetAgentStateResponse empty;
  auto st = api.routing().SetAgentState(ApiClient::Context(keys["agent"]).get(), r, &empty);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(empty.warnings_size(), 1);
  EXPECT_NE(empty.warnings(0).find("capacities"), std::string::npos) << empty.warnings(0);
  EXPECT_EQ(empty.eligible_queues_size(), 3) << "eligible all the same (no skills needed)";
  auto* c = r.add_capacities();
  c->set_channel(v1::CHANNEL_CHAT);
  c->set_max(0);
  v1::SetAgentStateResponse zero;
  st = api.routing().SetAgentState(ApiClient::Context(keys["agent"]).get(), r, &zero);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(zero.warnings_size(), 1) << "a capacity of 0 is no capacity";
  c->set_max(2);
  v1::SetAgentStateResponse fine;
  st = api.routing().SetAgentState(ApiClient::Context(keys["agent"]).get(), r, &fine);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(fine.warnings_size(), 0);
  // Away without capacity is not worth a warning: it is offered nothing anyway.
  r.set_state(v1::AGENT_STATE_AWAY);
  r.clear_capacities();
  v1::SetAgentStateResponse away;
  ASSERT_TRUE(api.routing().SetAgentState(ApiClient::Context(keys["agent"]).get(), r, &away).ok());
  EXPECT_EQ(away.warnings_size(), 0);
}

// Arrival order (DESIGN.md): equal-priority work is served in the order it arrived, also when
// it arrives in one SubmitInteractions call and is queued by one routing batch, so that every
// item gets the same queued time. Twenty identical chats wait while nobody is logged in; one
// agent of capacity 1 then takes them one by one.
TEST(ArrivalOrderE2E, ChatsSubmittedInOneCallAreOfferedInTheOrderSubmitted) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("arrival");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 0);
  if (HasFatalFailure()) return;
  const std::string integrator = keys["integrator"];
  v1::SubmitInteractionsRequest batch;
  for (int i = 0; i < 20; ++i) {
    auto* r = batch.add_interactions();
    r->set_channel(v1::CHANNEL_CHAT);
    r->set_subject("My card has not arrived yet");  // the same classification for all
  }
  v1::SubmitInteractionsResponse submitted;
  auto st =
      api.intake().SubmitInteractions(ApiClient::Context(integrator).get(), batch, &submitted);
  ASSERT_TRUE(st.ok()) << st.error_message();
  std::vector<std::string> ids;
  for (const auto& r : submitted.results()) {
    ASSERT_EQ(r.code(), 0) << r.message();
    ids.push_back(r.interaction_id());
  }
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        for (const auto& id : ids) {
          if (Get(api, integrator, id).state() != v1::INTERACTION_STATE_QUEUED) return false;
        }
        return true;
      },
      std::chrono::seconds(10)));

  ASSERT_TRUE(LogIn(api, keys["agent"], "first-in-line", {}).ok());
  std::vector<std::string> offered;
  for (size_t n = 0; n < ids.size(); ++n) {
    std::string now_offered;
    ASSERT_TRUE(e2e::WaitFor(
        [&] {
          for (const auto& id : ids) {
            if (Get(api, integrator, id).state() == v1::INTERACTION_STATE_OFFERED) {
              now_offered = id;
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(5)))
        << "no offer after " << n << " of " << ids.size();
    offered.push_back(now_offered);
    st = Accept(api, keys["agent"], "first-in-line", now_offered);
    ASSERT_TRUE(st.ok()) << st.error_message();
    v1::CompleteInteractionRequest complete;
    complete.set_agent_id("first-in-line");
    complete.set_interaction_id(now_offered);
    v1::CompleteInteractionResponse completed;
    st = api.routing().CompleteInteraction(ApiClient::Context(keys["agent"]).get(), complete,
                                           &completed);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(offered[i], ids[i]) << "offer " << i + 1 << " went to the interaction submitted "
                                  << (std::find(ids.begin(), ids.end(), offered[i]) - ids.begin()) +
                                         1
                                  << "th";
  }
}

}  // namespace
}  // namespace omniroute
