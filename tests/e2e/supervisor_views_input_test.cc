// The supervisor views on the real services: an agent set away by missed offers, and bad input
// (unknown agent or queue, page tokens and sizes, roles), which is refused naming the field and
// changes nothing in Redis.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/e2e/supervisor_views.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::AgentSpec;
using e2e::Views;
using sim::ApiClient;

// `st` has `code` and a message starting with `field`.
void ExpectRefused(const grpc::Status& st, grpc::StatusCode code, const std::string& field) {
  EXPECT_EQ(st.error_code(), code) << st.error_message();
  EXPECT_TRUE(absl::StartsWith(st.error_message(), field + ":")) << st.error_message();
}

TEST(SupervisorViewsE2E, MissedOffersShowAsTheAwayReasonAndBadInputIsRefused) {
  testing::Cluster cluster;
  ApiClient api(cluster.endpoints());
  Views views(api, cluster.CreateTenant("views"));
  ASSERT_TRUE(e2e::PutQueue(api, views.key("admin"), "fast", {v1::CHANNEL_CHAT}, 1).ok());
  v1::TenantConfig config;
  config.set_default_queue("fast");
  config.set_max_missed_offers(1);
  ASSERT_TRUE(e2e::PutConfig(api, views.key("admin"), config).ok());

  // hal misses one offer (1 s timeout): routing sets it away, and the views say why.
  ASSERT_TRUE(views.SetState({"hal", v1::AGENT_STATE_AVAILABLE, {{v1::CHANNEL_CHAT, 1}}}).ok());
  ASSERT_TRUE(views.SetState({"ida", v1::AGENT_STATE_AWAY, {{v1::CHANNEL_CHAT, 1}}}).ok());
  std::string first = views.Submit(v1::CHANNEL_CHAT, v1::PRIORITY_P3, "one", "fast");
  ASSERT_TRUE(views.WaitState(first, v1::INTERACTION_STATE_OFFERED, "hal"));
  v1::AgentView hal;
  ASSERT_TRUE(e2e::WaitFor(
      [&] { return views.GetAgent("hal", &hal).ok() && hal.state() == v1::AGENT_STATE_AWAY; },
      std::chrono::seconds(10)));
  EXPECT_EQ(hal.away_reason(), "missed_offers");
  EXPECT_EQ(hal.missed_offers(), 1);
  EXPECT_TRUE(hal.work().empty());
  EXPECT_EQ(hal.channels(0).load(), 0);
  auto ids = [](const std::vector<v1::AgentView>& v) {
    std::vector<std::string> out;
    for (const auto& a : v) out.push_back(a.agent_id());
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(ids(views.AllAgents(1, "", v1::AGENT_STATE_AWAY)), (Names{"hal", "ida"}));
  EXPECT_EQ(ids(views.AllAgents(1, "fast", v1::AGENT_STATE_AWAY)), (Names{"hal", "ida"}));
  EXPECT_TRUE(views.AllAgents(1, "", v1::AGENT_STATE_AVAILABLE).empty());
  std::string second = views.Submit(v1::CHANNEL_CHAT, v1::PRIORITY_P3, "two", "fast");
  ASSERT_TRUE(views.WaitState(second, v1::INTERACTION_STATE_QUEUED));
  ASSERT_TRUE(views.WaitState(first, v1::INTERACTION_STATE_QUEUED));

  // Tokens of each kind, to hand to the other call.
  v1::ListAgentsRequest agents_req;
  agents_req.set_page_size(1);
  v1::ListAgentsResponse agents_page;
  ASSERT_TRUE(views.ListAgents(agents_req, &agents_page).ok());
  ASSERT_FALSE(agents_page.next_page_token().empty());
  v1::ListWaitingRequest waiting_req;
  waiting_req.set_queue("fast");
  waiting_req.set_page_size(1);
  v1::ListWaitingResponse waiting_page;
  ASSERT_TRUE(views.ListWaiting(waiting_req, &waiting_page).ok());
  ASSERT_FALSE(waiting_page.next_page_token().empty());

  auto conn = cluster.redis().Connect();
  auto before = e2e::SnapshotRedis(*conn);
  v1::AgentView view;
  ExpectRefused(views.GetAgent("nobody", &view), grpc::StatusCode::NOT_FOUND, "agent_id");
  ExpectRefused(views.GetAgent("no body", &view), grpc::StatusCode::INVALID_ARGUMENT, "agent_id");
  EXPECT_EQ(views.GetAgent("hal", &view, "agent").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(views.GetAgent("hal", &view, "integrator").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(views.GetAgent("hal", &view, "admin").ok());

  v1::ListAgentsResponse ar;
  auto list_agents = [&](int size, const std::string& token, const std::string& queue) {
    v1::ListAgentsRequest r;
    r.set_page_size(size);
    r.set_page_token(token);
    r.set_queue(queue);
    return views.ListAgents(r, &ar);
  };
  ExpectRefused(list_agents(0, "garbage", ""), grpc::StatusCode::INVALID_ARGUMENT, "page_token");
  ExpectRefused(list_agents(0, waiting_page.next_page_token(), ""),
                grpc::StatusCode::INVALID_ARGUMENT, "page_token");
  ExpectRefused(list_agents(501, "", ""), grpc::StatusCode::INVALID_ARGUMENT, "page_size");
  ExpectRefused(list_agents(-1, "", ""), grpc::StatusCode::INVALID_ARGUMENT, "page_size");
  ExpectRefused(list_agents(0, "", "nope"), grpc::StatusCode::NOT_FOUND, "queue");
  ExpectRefused(list_agents(0, "", "bad queue"), grpc::StatusCode::INVALID_ARGUMENT, "queue");
  EXPECT_TRUE(list_agents(500, "", "").ok());
  EXPECT_EQ(ar.agents_size(), 2);
  EXPECT_TRUE(list_agents(0, agents_page.next_page_token(), "").ok());
  EXPECT_EQ(ar.agents_size(), 1);  // ida, after hal

  v1::ListWaitingResponse wr;
  auto list_waiting = [&](const std::string& queue, v1::Channel ch, int size,
                          const std::string& token) {
    v1::ListWaitingRequest r;
    r.set_queue(queue);
    r.set_channel(ch);
    r.set_page_size(size);
    r.set_page_token(token);
    return views.ListWaiting(r, &wr);
  };
  const auto any = v1::CHANNEL_UNSPECIFIED;
  ExpectRefused(list_waiting("", any, 0, ""), grpc::StatusCode::INVALID_ARGUMENT, "queue");
  ExpectRefused(list_waiting("nope", any, 0, ""), grpc::StatusCode::NOT_FOUND, "queue");
  ExpectRefused(list_waiting("fast", v1::CHANNEL_SMS, 0, ""), grpc::StatusCode::INVALID_ARGUMENT,
                "channel");
  ExpectRefused(list_waiting("fast", any, 0, agents_page.next_page_token()),
                grpc::StatusCode::INVALID_ARGUMENT, "page_token");
  ExpectRefused(list_waiting("fast", any, 0, "garbage"), grpc::StatusCode::INVALID_ARGUMENT,
                "page_token");
  ExpectRefused(list_waiting("fast", any, 501, ""), grpc::StatusCode::INVALID_ARGUMENT,
                "page_size");
  EXPECT_TRUE(list_waiting("fast", any, 0, waiting_page.next_page_token()).ok());
  ASSERT_EQ(wr.items_size(), 1);
  EXPECT_EQ(wr.items(0).position(), 2);
  EXPECT_TRUE(wr.next_page_token().empty());
  EXPECT_EQ(wr.total_waiting(), 2);

  v1::SetAgentStateRequest bad;
  bad.set_agent_id("hal");
  bad.set_state(v1::AGENT_STATE_AVAILABLE);
  bad.set_away_reason("lunch");
  v1::SetAgentStateResponse bad_resp;
  ExpectRefused(
      api.routing().SetAgentState(ApiClient::Context(views.key("agent")).get(), bad, &bad_resp),
      grpc::StatusCode::INVALID_ARGUMENT, "away_reason");
  EXPECT_EQ(e2e::DiffSnapshots(before, e2e::SnapshotRedis(*conn)), "");
}

}  // namespace
}  // namespace omniroute
