// Chaos tests: the faults a contact center's operators will meet, each under load with a
// ledger client (ChaosWorld) that proves nothing acknowledged was lost, duplicated or left
// stuck, and that every failed call ended by its deadline with a retryable code.
//  - kill -9 of random service replicas, each restarted on its ports (a supervisor's restart);
//  - Redis kill -9 and restart from its AOF (appendfsync always), twice;
//  - Redis stopped (SIGSTOP) for 10 s, then continued;
//  - rolling SIGTERM of all six replicas, each restarted after it drained and exited.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>

#include "tests/e2e/chaos_world.h"

namespace omniroute::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ChaosOptions Named(const std::string& name) {
  ChaosOptions o;
  o.name = name;
  return o;
}

TEST(ChaosE2E, KillNineOfRandomReplicasUnderLoad) {
  ChaosWorld world(Named("kill-9"));
  ASSERT_TRUE(world.ready());
  world.StartSubmitting();
  ChaosWorld::Run(seconds(4));
  // About every 3-5 s for 36 s, one of the six replicas dies and is restarted.
  auto until = std::chrono::steady_clock::now() + seconds(36);
  int kills = 0;
  while (std::chrono::steady_clock::now() < until) {
    auto& replicas = world.cluster().replicas();
    auto& victim = replicas[world.rng()() % replicas.size()];
    std::printf("chaos[kill-9]: kill -9 %s on %s\n", victim.service.c_str(),
                victim.address().c_str());
    ASSERT_TRUE(world.KillAndRelaunch(victim));
    ++kills;
    ChaosWorld::Run(milliseconds(3000 + world.rng()() % 2000));
  }
  EXPECT_GE(kills, 6);
  world.Finish();
}

TEST(ChaosE2E, RedisKillNineAndRestartFromAppendOnlyFile) {
  auto o = Named("redis-restart");
  o.rate = 120;
  o.agents = 36;
  ChaosWorld world(o);
  ASSERT_TRUE(world.ready());
  world.StartSubmitting();
  ChaosWorld::Run(seconds(5));
  for (int round = 0; round < 2; ++round) {
    std::printf("chaos[redis-restart]: kill -9 redis-server, restart from the AOF in 1 s\n");
    ASSERT_TRUE(world.cluster().redis().process().Signal(SIGKILL));
    ChaosWorld::Run(seconds(1));
    world.cluster().redis().Restart();
    ChaosWorld::Run(seconds(8));
  }
  world.Finish();
}

TEST(ChaosE2E, RedisStoppedForTenSeconds) {
  ChaosWorld world(Named("redis-stall"));
  ASSERT_TRUE(world.ready());
  world.StartSubmitting();
  ChaosWorld::Run(seconds(5));
  std::printf("chaos[redis-stall]: SIGSTOP redis-server for 10 s\n");
  ASSERT_TRUE(world.cluster().redis().process().Signal(SIGSTOP));
  ChaosWorld::Run(seconds(10));
  ASSERT_TRUE(world.cluster().redis().process().Signal(SIGCONT));
  ChaosWorld::Run(seconds(8));
  auto report = world.Finish();
  // The stall was felt: calls ran into their deadlines or were refused meanwhile.
  EXPECT_GT(report.failed_by_code["DEADLINE_EXCEEDED"] + report.failed_by_code["UNAVAILABLE"], 0);
}

TEST(ChaosE2E, RollingSigtermOfEveryReplica) {
  ChaosWorld world(Named("rolling-sigterm"));
  ASSERT_TRUE(world.ready());
  world.StartSubmitting();
  ChaosWorld::Run(seconds(4));
  for (auto& r : world.cluster().replicas()) {
    std::printf("chaos[rolling-sigterm]: SIGTERM %s on %s\n", r.service.c_str(),
                r.address().c_str());
    ASSERT_TRUE(world.TerminateAndRelaunch(r));
    ChaosWorld::Run(seconds(1));
  }
  ChaosWorld::Run(seconds(3));
  world.Finish();
}

}  // namespace
}  // namespace omniroute::e2e
