// Authentication and tenant isolation of the public API: API keys, roles and tenants,
// through the real service processes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/e2e/api_test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute::api_test {
namespace {

TEST(AuthE2E, KeysRolesAndTenantsAreEnforced) {
  testing::Cluster cluster;
  auto a = cluster.CreateTenant("tenant-a");
  auto b = cluster.CreateTenant("tenant-b");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, a["admin"], 0);
  if (HasFatalFailure()) return;
  auto redis = cluster.redis().Connect();

  auto submit_with = [&](grpc::ClientContext* ctx, const std::string& tenant_id) {
    auto r = ChatRequest("", "My password does not work");
    r.set_tenant_id(tenant_id);
    v1::SubmitInteractionResponse resp;
    return api.intake().SubmitInteraction(ctx, r, &resp);
  };
  {
    grpc::ClientContext ctx;  // no metadata
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    EXPECT_EQ(submit_with(&ctx, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(submit_with(ApiClient::Context("ork_tenant-a_0000").get(), "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  {
    grpc::ClientContext ctx;  // a known key, but not as a bearer token
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("authorization", "Basic " + a["integrator"]);
    EXPECT_EQ(submit_with(&ctx, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;  // unauthenticated health and admin calls too
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListQueuesRequest r;
    v1::ListQueuesResponse resp;
    EXPECT_EQ(api.admin().ListQueues(&ctx, r, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  // Wrong role.
  {
    v1::PutQueueRequest r;
    r.mutable_queue()->set_name("sneaky");
    r.mutable_queue()->add_channels(v1::CHANNEL_CHAT);
    v1::PutQueueResponse resp;
    auto st = api.admin().PutQueue(ApiClient::Context(a["agent"]).get(), r, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    st = api.admin().PutQueue(ApiClient::Context(a["integrator"]).get(), r, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    v1::SetAgentStateRequest s;
    s.set_agent_id("x");
    s.set_state(v1::AGENT_STATE_AVAILABLE);
    v1::SetAgentStateResponse sr;
    st = api.routing().SetAgentState(ApiClient::Context(a["integrator"]).get(), s, &sr);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    EXPECT_EQ(submit_with(ApiClient::Context(a["agent"]).get(), "").error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(CmdInt(*redis, {"SISMEMBER", Prefix("tenant-a") + ":queues", "sneaky"}), 0);
  }
  // A key of tenant A naming tenant B.
  EXPECT_EQ(submit_with(ApiClient::Context(a["integrator"]).get(), "tenant-b").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(submit_with(ApiClient::Context(a["integrator"]).get(), "tenant-a}").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    v1::PutQueueRequest r;
    r.set_tenant_id("tenant-b");
    r.mutable_queue()->set_name("q");
    r.mutable_queue()->add_channels(v1::CHANNEL_CHAT);
    v1::PutQueueResponse resp;
    EXPECT_EQ(api.admin().PutQueue(ApiClient::Context(a["admin"]).get(), r, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // A batch item naming another tenant is refused on its own.
  {
    v1::SubmitInteractionsRequest r;
    *r.add_interactions() = ChatRequest("", "x");
    r.mutable_interactions(0)->set_tenant_id("tenant-b");
    v1::SubmitInteractionsResponse resp;
    ASSERT_TRUE(
        api.intake().SubmitInteractions(ApiClient::Context(a["integrator"]).get(), r, &resp).ok());
    ASSERT_EQ(resp.results_size(), 1);
    EXPECT_EQ(resp.results(0).code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
    EXPECT_TRUE(resp.results(0).interaction_id().empty());
  }
  EXPECT_LE(e2e::EntriesAdded(*redis, Prefix("tenant-b") + ":s:intake"), 0);
  EXPECT_LE(e2e::EntriesAdded(*redis, Prefix("tenant-a") + ":s:intake"), 0);

  // Tenant A owns an interaction; tenant B's keys can neither read nor change it.
  v1::SubmitInteractionResponse mine;
  ASSERT_TRUE(Submit(api, a["integrator"], ChatRequest("a-1", "Secret of A"), &mine).ok());
  const std::string id = mine.interaction_id();
  ASSERT_TRUE(e2e::WaitFor(
      [&] { return StateOf(api, a["integrator"], id) == v1::INTERACTION_STATE_QUEUED; },
      std::chrono::seconds(10)));
  {
    v1::GetInteractionRequest g;
    g.set_interaction_id(id);
    v1::GetInteractionResponse gr;
    auto st = api.intake().GetInteraction(ApiClient::Context(b["integrator"]).get(), g, &gr);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_FALSE(gr.has_interaction());
    EXPECT_EQ(st.error_message().find("Secret"), std::string::npos);
    g.set_tenant_id("tenant-a");
    st = api.intake().GetInteraction(ApiClient::Context(b["integrator"]).get(), g, &gr);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_FALSE(gr.has_interaction());
  }
  {
    v1::CancelInteractionRequest c;
    c.set_interaction_id(id);
    v1::CancelInteractionResponse cr;
    auto st = api.intake().CancelInteraction(ApiClient::Context(b["integrator"]).get(), c, &cr);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  }
  {
    v1::AcceptOfferRequest r;
    r.set_agent_id("agent-b");
    r.set_interaction_id(id);
    v1::AcceptOfferResponse resp;
    auto st = api.routing().AcceptOffer(ApiClient::Context(b["agent"]).get(), r, &resp);
    EXPECT_FALSE(st.ok());
    EXPECT_FALSE(resp.has_interaction());
  }
  {
    v1::GetQueueStatsRequest r;
    r.set_queue("chat");
    v1::GetQueueStatsResponse resp;
    auto st = api.routing().GetQueueStats(ApiClient::Context(b["supervisor"]).get(), r, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
    EXPECT_EQ(resp.waiting(), 0);
  }
  {
    // B's event feed carries nothing of A.
    auto ctx = ApiClient::Context(b["supervisor"], std::chrono::milliseconds(1500));
    v1::WatchEventsRequest r;
    r.set_after_event_id("0");
    auto reader = api.routing().WatchEvents(ctx.get(), r);
    v1::Event e;
    int events = 0;
    while (reader->Read(&e) && events < 1000) ++events;
    (void)reader->Finish();
    EXPECT_EQ(events, 0);
  }
  // A's interaction is untouched and still readable by A.
  EXPECT_EQ(StateOf(api, a["integrator"], id), v1::INTERACTION_STATE_QUEUED);
  EXPECT_EQ(CountEvents(*redis, "tenant-a", "canceled", id), 0);
}

}  // namespace
}  // namespace omniroute::api_test
