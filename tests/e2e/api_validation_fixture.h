// The fixture of the ValidationE2E tests (api_validation_test.cc, api_invalid_utf8_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/api_test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"
#include "tools/sim/api_client.h"

namespace omniroute::api_test {

struct BadCall {
  std::string what;
  grpc::StatusCode code;
  std::string field;  // must appear in the error message
  std::function<grpc::Status()> call;
};

// An idle tenant: queues, a logged-out agent (so nothing is offered) and one queued
// interaction. Run() checks that each call is refused as expected with the field named, and
// that Redis is byte-for-byte unchanged afterwards.
class ValidationE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<testing::Cluster>();
    keys_ = cluster_->CreateTenant("strict");
    api_ = std::make_unique<ApiClient>(cluster_->endpoints());
    ApiClient& api = *api_;
    e2e::SetUpVoiceChatEmail(api, keys_["admin"], 0);
    if (HasFatalFailure()) return;
    v1::SetAgentStateRequest a;
    a.set_agent_id("agent-1");
    a.set_state(v1::AGENT_STATE_OFFLINE);
    auto* s = a.add_skills();
    s->set_name("billing");
    s->set_proficiency(3);
    auto* c = a.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(2);
    v1::SetAgentStateResponse ar;
    ASSERT_TRUE(api.routing().SetAgentState(ApiClient::Context(keys_["agent"]).get(), a, &ar).ok());
    v1::SubmitInteractionResponse queued;
    ASSERT_TRUE(
        Submit(api, keys_["integrator"], ChatRequest("q-1", "Billing question"), &queued).ok());
    qid_ = queued.interaction_id();
    ASSERT_TRUE(e2e::WaitFor(
        [&] { return StateOf(api, keys_["integrator"], qid_) == v1::INTERACTION_STATE_QUEUED; },
        std::chrono::seconds(10)));
  }

  void Run(const std::vector<BadCall>& calls) {
    const std::string T = Prefix("strict");
    auto redis = cluster_->redis().Connect();
    // The pipeline has settled: nothing is pending in either stream.
    ASSERT_TRUE(e2e::WaitFor(
        [&] {
          return e2e::PendingCount(*redis, T + ":s:intake", "classification") == 0 &&
                 e2e::PendingCount(*redis, T + ":s:classified", "routing") == 0;
        },
        std::chrono::seconds(10)));
    // Every key but the estimated wait's inputs, which the routing gauge loop rewrites on its
    // own every 2 s (SnapshotRedis leaves them out).
    auto before = e2e::SnapshotRedis(*redis);
    ASSERT_GT(before.size(), 10u);
    for (const auto& c : calls) {
      grpc::Status st = c.call();
      EXPECT_EQ(st.error_code(), c.code) << c.what << ": " << st.error_message();
      EXPECT_NE(st.error_message().find(c.field), std::string::npos)
          << c.what << ": message '" << st.error_message() << "' does not name " << c.field;
    }
    auto after = e2e::SnapshotRedis(*redis);
    EXPECT_EQ(after.size(), before.size());
    EXPECT_EQ(e2e::DiffSnapshots(before, after), "");
    EXPECT_EQ(StateOf(*api_, keys_["integrator"], qid_), v1::INTERACTION_STATE_QUEUED);
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<ApiClient> api_;
  std::string qid_;
};

}  // namespace omniroute::api_test
