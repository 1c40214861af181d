// Deterministic reproductions of the gaps the randomized run's idle check found: an agent left
// idle beside work it may take.
//
// One replica of each service with the sweep (the work-conservation safety net) slowed to once
// a minute, so only the transitions themselves can make an offer. Both fail until routing
// matches the agent when its offer lapses and matches the work when a skip ends.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::Clock;

class RoutingGapsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::ClusterOptions options;
    options.extra_routing_flags = {"--skip-ms=1000", "--sweep-interval-ms=60000",
                                   "--timer-interval-ms=20"};
    cluster_ = std::make_unique<testing::Cluster>(options);
    keys_ = cluster_->CreateTenant("gaps");
    api_ = std::make_unique<sim::ApiClient>(cluster_->endpoints());
    for (const char* q : {"qa", "qb"}) {
      auto st = e2e::PutQueue(*api_, keys_["admin"], q, {v1::CHANNEL_CHAT},
                              /*offer_timeout_seconds=*/1);
      ASSERT_TRUE(st.ok()) << st.error_message();
    }
    // One agent, one chat slot.
    v1::SetAgentStateRequest r;
    r.set_agent_id("solo");
    r.set_state(v1::AGENT_STATE_AVAILABLE);
    auto* c = r.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(1);
    v1::SetAgentStateResponse resp;
    auto st =
        api_->routing().SetAgentState(sim::ApiClient::Context(keys_["agent"]).get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  std::string Submit(const std::string& queue) {
    v1::SubmitInteractionRequest r;
    r.set_channel(v1::CHANNEL_CHAT);
    r.set_queue(queue);
    v1::SubmitInteractionResponse resp;
    auto st = api_->intake().SubmitInteraction(sim::ApiClient::Context(keys_["integrator"]).get(),
                                               r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.interaction_id();
  }

  v1::Interaction Get(const std::string& id) {
    v1::GetInteractionRequest g;
    g.set_interaction_id(id);
    v1::GetInteractionResponse gr;
    (void)api_->intake().GetInteraction(sim::ApiClient::Context(keys_["integrator"]).get(), g, &gr);
    return gr.interaction();
  }

  bool WaitState(const std::string& id, v1::InteractionState state,
                 std::chrono::milliseconds timeout) {
    return e2e::WaitFor([&] { return Get(id).state() == state; }, timeout,
                        std::chrono::milliseconds(10));
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<sim::ApiClient> api_;
};

// expire_offers.lua frees the agent's capacity when its offer lapses but matches only the
// lapsed interaction's own (queue, channel), not the agent (match_agent): work of another queue
// the agent may take keeps waiting beside it until the next sweep.
TEST_F(RoutingGapsE2E, AnAgentFreedByALapsedOfferGetsTheWaitingWorkOfAnotherQueue) {
  std::string a = Submit("qa");
  ASSERT_TRUE(WaitState(a, v1::INTERACTION_STATE_OFFERED, std::chrono::seconds(5)));
  std::string b = Submit("qb");  // waits: the agent's only slot holds the offer of a
  ASSERT_TRUE(WaitState(b, v1::INTERACTION_STATE_QUEUED, std::chrono::seconds(5)));
  // The agent does not answer; a's offer lapses after 1 s (a then skips the agent for 1 s).
  ASSERT_TRUE(WaitState(a, v1::INTERACTION_STATE_QUEUED, std::chrono::seconds(5)));
  auto lapsed = Clock::now();
  bool offered = WaitState(b, v1::INTERACTION_STATE_OFFERED, std::chrono::milliseconds(800));
  EXPECT_TRUE(offered) << "the agent freed by the lapsed offer stayed idle for "
                       << e2e::SecondsSince(lapsed) << " s beside the work waiting in qb";
}

// When the time an agent is skipped for an interaction it declined ends, nothing matches the
// interaction again until the next sweep, though the agent is free and the work waits.
TEST_F(RoutingGapsE2E, WorkIsOfferedAgainWhenTheSkipOfTheOnlyFreeAgentEnds) {
  std::string a = Submit("qa");
  ASSERT_TRUE(WaitState(a, v1::INTERACTION_STATE_OFFERED, std::chrono::seconds(5)));
  v1::RejectOfferRequest r;
  r.set_agent_id("solo");
  r.set_interaction_id(a);
  v1::RejectOfferResponse resp;
  auto st = api_->routing().RejectOffer(sim::ApiClient::Context(keys_["agent"]).get(), r, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  auto rejected = Clock::now();
  ASSERT_EQ(Get(a).state(), v1::INTERACTION_STATE_QUEUED);
  // The agent is skipped for a for 1 s; then a must be offered to it again.
  bool offered = WaitState(a, v1::INTERACTION_STATE_OFFERED, std::chrono::milliseconds(2000));
  EXPECT_TRUE(offered) << "the only free agent stayed idle beside a for "
                       << e2e::SecondsSince(rejected) << " s after declining it (skip: 1 s)";
}

}  // namespace
}  // namespace omniroute
