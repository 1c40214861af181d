// Real service processes (one replica each) and redis-server: a tenant, a queue, two agents,
// and interactions from Submit to completion.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/cluster.h"
#include "tools/sim/sim_agent.h"
#include "tools/sim/traffic.h"

namespace omniroute {
namespace {

TEST(LifecycleE2E, SubmittedInteractionsAreRoutedAndCompleted) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("acme");
  sim::ApiClient api(cluster.endpoints());

  v1::PutQueueRequest q;
  q.mutable_queue()->set_name("support");
  q.mutable_queue()->add_channels(v1::CHANNEL_CHAT);
  v1::PutQueueResponse qr;
  ASSERT_TRUE(api.admin().PutQueue(sim::ApiClient::Context(keys["admin"]).get(), q, &qr).ok());
  v1::PutTenantConfigRequest c;
  c.mutable_config()->set_default_queue("support");
  v1::PutTenantConfigResponse cr;
  ASSERT_TRUE(
      api.admin().PutTenantConfig(sim::ApiClient::Context(keys["admin"]).get(), c, &cr).ok());

  sim::AgentBehavior b;
  b.capacity = {{v1::CHANNEL_CHAT, 2}};
  sim::SimAgent a1(&api, keys["agent"], "a1", b), a2(&api, keys["agent"], "a2", b);
  ASSERT_TRUE(a1.Start());
  ASSERT_TRUE(a2.Start());

  sim::TrafficOptions t;
  t.total = 20;
  t.channels = {v1::CHANNEL_CHAT};
  std::atomic<bool> stop{false};
  auto submitted = sim::RunTraffic(api, keys["integrator"], t, stop);
  ASSERT_EQ(submitted.size(), 20u);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (a1.Stats().completed + a2.Stats().completed < 20 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(a1.Stats().completed + a2.Stats().completed, 20);
  EXPECT_GT(a1.Stats().completed, 0);
  EXPECT_GT(a2.Stats().completed, 0);
  for (const auto& s : submitted) {
    v1::GetInteractionRequest g;
    g.set_interaction_id(s.interaction_id);
    v1::GetInteractionResponse gr;
    ASSERT_TRUE(api.intake()
                    .GetInteraction(sim::ApiClient::Context(keys["integrator"]).get(), g, &gr)
                    .ok());
    EXPECT_EQ(gr.interaction().state(), v1::INTERACTION_STATE_COMPLETED);
  }
}

}  // namespace
}  // namespace omniroute
