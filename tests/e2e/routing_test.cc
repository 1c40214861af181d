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

grpc::Status LogIn(ApiClient& api, const std::string& key, const std::string& agent,
                   const std::vector<std::string>& skills) {
  v1::SetAgentStateRequest r;
  r.set_agent_id(agent);
  r.set_state(v1::AGENT_STATE_AVAILABLE);
  for (const auto& s : skills) {
    auto* k = r.add_skills();
    k->set_name(s);
    k->set_proficiency(3);
  }
  auto* c = r.add_capacities();
  c->set_channel(v1::CHANNEL_CHAT);
  c->set_max(1);
  v1::SetAgentStateResponse resp;
  return api.routing().SetAgentState(ApiClient::Context(key).get(), r, &resp);
}

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
  auto st = api.intake().SubmitInteractions(ApiClient::Context(integrator).get(), batch,
                                            &submitted);
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
    v1::AcceptOfferRequest accept;
    accept.set_agent_id("first-in-line");
    accept.set_interaction_id(now_offered);
    v1::AcceptOfferResponse accepted;
    st = api.routing().AcceptOffer(ApiClient::Context(keys["agent"]).get(), accept, &accepted);
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
                                  << (std::find(ids.begin(), ids.end(), offered[i]) - ids.begin()) + 1
                                  << "th";
  }
}

}  // namespace
}  // namespace omniroute
