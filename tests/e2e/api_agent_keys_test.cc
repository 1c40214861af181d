// Keys bound to an agent (`omniroute-ctl keys create --roles agent --agent A`), through the real
// service processes: every RPC that acts as an agent refuses the key for any other agent and
// serves it for its own, and its agent cannot finish or move work another agent holds.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/common/grpc/rpc_roles.h"
#include "tests/e2e/api_generic_call.h"
#include "tests/e2e/api_test_util.h"
#include "tests/e2e/e2e_grpc.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute::api_test {
namespace {

std::string Path(const pb::MethodDescriptor* m) {
  return "/" + m->service()->full_name() + "/" + m->name();
}

// The roles table marks exactly the calls the agent role may make with an agent_id: a new such
// RPC left unmarked would let a bound key act as any agent.
TEST(AgentKeysE2E, TheRolesTableMarksEveryAgentCallThatNamesAnAgent) {
  int marked = 0;
  for (const auto* m : ApiMethods()) {
    const RpcRoles* row = FindRpcRoles(Path(m));
    ASSERT_NE(row, nullptr) << Path(m);
    bool names_agent = m->input_type()->FindFieldByName("agent_id") != nullptr;
    EXPECT_EQ(row->acts_as_agent, names_agent && row->roles.Contains(Role::kAgent)) << Path(m);
    marked += row->acts_as_agent ? 1 : 0;
  }
  EXPECT_EQ(marked, 8);  // Reclassify, SetAgentState, WatchOffers, Accept, Reject, Transfer,
                         // Escalate, Complete
}

// The chat's state and agent as the integrator reads them.
std::pair<v1::InteractionState, std::string> StateAndAgent(ApiClient& api, const std::string& key,
                                                           const std::string& id) {
  v1::Interaction ix = e2e::GetInteraction(api, key, id);
  return {ix.state(), ix.agent_id()};
}

TEST(AgentKeysE2E, ABoundKeyActsOnlyAsItsAgentOnEveryAgentRpc) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("acme");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 0);
  if (HasFatalFailure()) return;
  auto created = e2e::RunCommand(
      {testing::BinDir() + "/omniroute-ctl", "keys", "create", "--tenant", "acme", "--roles",
       "agent", "--agent", "a7", "--name", "desk-a7", "--redis-url=" + cluster.redis().url()},
      {}, "", cluster.dir());
  ASSERT_EQ(created.code, 0) << created.err;
  const std::string bound(absl::StripAsciiWhitespace(created.out));
  // Binding needs the agent role alone.
  auto mixed = e2e::RunCommand(
      {testing::BinDir() + "/omniroute-ctl", "keys", "create", "--tenant", "acme", "--roles",
       "agent,supervisor", "--agent", "a7", "--redis-url=" + cluster.redis().url()},
      {}, "", cluster.dir());
  EXPECT_EQ(mixed.code, 2) << mixed.err;
  EXPECT_TRUE(absl::StrContains(mixed.err, "roles:")) << mixed.err;

  auto channels = ServiceChannels(cluster.endpoints());
  int agent_calls = 0;
  for (const auto* m : ApiMethods()) {
    const RpcRoles* row = FindRpcRoles(Path(m));
    ASSERT_NE(row, nullptr);
    const auto& channel = channels.at(m->service()->name());
    if (!row->roles.Contains(Role::kAgent)) {
      EXPECT_EQ(Call(channel, m, bound, "acme").error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << Path(m);
      continue;
    }
    if (!row->acts_as_agent) {  // reads that act as no agent (queue stats, explanations)
      auto st = Call(channel, m, bound, "acme");
      EXPECT_NE(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Path(m);
      EXPECT_NE(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << Path(m);
      continue;
    }
    ++agent_calls;
    for (const char* other : {"a8", ""}) {
      auto st = Call(channel, m, bound, "acme", {{"agent_id", other}});
      EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << Path(m) << " as '" << other << "'";
      EXPECT_TRUE(absl::StrContains(st.error_message(), "this key acts only as agent 'a7'"))
          << Path(m) << ": " << st.error_message();
      // The same call with an unbound agent key gets past authorization.
      auto unbound = Call(channel, m, keys["agent"], "acme", {{"agent_id", other}});
      EXPECT_NE(unbound.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << Path(m) << " unbound: " << unbound.error_message();
    }
    auto own = Call(channel, m, bound, "acme", {{"agent_id", "a7"}});
    EXPECT_NE(own.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << Path(m) << ": " << own.error_message();
    EXPECT_NE(own.error_code(), grpc::StatusCode::UNAUTHENTICATED) << Path(m);
  }
  EXPECT_EQ(agent_calls, 8);

  // Work another agent holds: a8 (unbound key) accepts a chat; a7's key cannot finish, reject
  // or transfer it as a7, nor act as a8.
  ASSERT_TRUE(e2e::LogIn(api, keys["agent"], "a8").ok());
  const std::string theirs = e2e::SubmitChat(api, keys["integrator"], "My card is blocked");
  auto offered_to = [&](const std::string& id, const std::string& agent) {
    return e2e::WaitFor(
        [&] {
          return StateAndAgent(api, keys["integrator"], id) ==
                 std::make_pair(v1::INTERACTION_STATE_OFFERED, agent);
        },
        std::chrono::seconds(10));
  };
  ASSERT_TRUE(offered_to(theirs, "a8"));
  v1::AcceptOfferRequest accept;
  accept.set_agent_id("a8");
  accept.set_interaction_id(theirs);
  v1::AcceptOfferResponse accepted;
  ASSERT_TRUE(
      api.routing().AcceptOffer(ApiClient::Context(keys["agent"]).get(), accept, &accepted).ok());
  ASSERT_TRUE(e2e::LogIn(api, bound, "a7").ok());
  // As a7 the transition refuses (not a7's work); as a8 the key is refused.
  for (auto [as, code] : {std::make_pair("a7", grpc::StatusCode::FAILED_PRECONDITION),
                          std::make_pair("a8", grpc::StatusCode::PERMISSION_DENIED)}) {
    v1::CompleteInteractionRequest c;
    c.set_agent_id(as);
    c.set_interaction_id(theirs);
    v1::CompleteInteractionResponse cr;
    auto st = api.routing().CompleteInteraction(ApiClient::Context(bound).get(), c, &cr);
    EXPECT_EQ(st.error_code(), code) << "complete as " << as << ": " << st.error_message();
    v1::TransferInteractionRequest t;
    t.set_agent_id(as);
    t.set_interaction_id(theirs);
    t.set_target_queue("chat");
    v1::TransferInteractionResponse tr;
    st = api.routing().TransferInteraction(ApiClient::Context(bound).get(), t, &tr);
    EXPECT_EQ(st.error_code(), code) << "transfer as " << as << ": " << st.error_message();
    v1::RejectOfferRequest r;
    r.set_agent_id(as);
    r.set_interaction_id(theirs);
    v1::RejectOfferResponse rr;
    st = api.routing().RejectOffer(ApiClient::Context(bound).get(), r, &rr);
    EXPECT_EQ(st.error_code(), code) << "reject as " << as << ": " << st.error_message();
    accept.set_agent_id(as);
    st = api.routing().AcceptOffer(ApiClient::Context(bound).get(), accept, &accepted);
    EXPECT_EQ(st.error_code(), code) << "accept as " << as << ": " << st.error_message();
  }
  EXPECT_EQ(StateAndAgent(api, keys["integrator"], theirs),
            std::make_pair(v1::INTERACTION_STATE_ASSIGNED, std::string("a8")));

  // Its own work: the next chat goes to a7 (a8 is full), whose key accepts and completes it.
  const std::string mine = e2e::SubmitChat(api, keys["integrator"], "I lost my card");
  ASSERT_TRUE(offered_to(mine, "a7"));
  accept.set_agent_id("a7");
  accept.set_interaction_id(mine);
  auto st = api.routing().AcceptOffer(ApiClient::Context(bound).get(), accept, &accepted);
  ASSERT_TRUE(st.ok()) << st.error_message();
  v1::CompleteInteractionRequest c;
  c.set_agent_id("a7");
  c.set_interaction_id(mine);
  v1::CompleteInteractionResponse cr;
  st = api.routing().CompleteInteraction(ApiClient::Context(bound).get(), c, &cr);
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(StateAndAgent(api, keys["integrator"], mine).first, v1::INTERACTION_STATE_COMPLETED);
}

}  // namespace
}  // namespace omniroute::api_test
