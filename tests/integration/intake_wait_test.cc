// Intake's replica acknowledgement (--redis-wait-replicas): with a live replica a Submit is
// acknowledged once the replica has it; without one it is UNAVAILABLE although stored, and the
// client's retry with the same idempotency key gets the same interaction, never a second one.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class IntakeWaitTest : public RedisFixture {};

TEST_F(IntakeWaitTest, ASubmitIsAcknowledgedOnlyOnceAReplicaHasIt) {
  Cmd({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});  // the replica syncs at once
  testing::RedisServer replica(false, {"--replicaof", "127.0.0.1", std::to_string(redis_->port())});
  auto link_up = [&] {
    auto r = replica.Connect()->Command({"INFO", "replication"});
    return r.ok() && r->str.find("master_link_status:up") != std::string::npos;
  };
  for (int i = 0; i < 100 && !link_up(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(link_up());
  intake::IntakeOptions options;
  options.wait_replicas = 1;
  options.wait_ms = 5000;  // a loaded machine may take a while to acknowledge
  intake::IntakeStore store(pool_.get(), &redis::Scripts::Embedded(), &clock_, &ids_, options);
  options.wait_ms = 100;
  intake::IntakeStore impatient(pool_.get(), &redis::Scripts::Embedded(), &clock_, &ids_, options);

  intake::Submission s = Chat("where is my parcel");
  s.idempotency_key = "order-1";
  auto first = store.Submit(kTenant, {&s});
  ASSERT_TRUE(first[0].ok()) << first[0].status();
  // The replica has it already: WAIT returned only after it acknowledged.
  EXPECT_EQ(
      replica.Connect()->Command({"EXISTS", keys_.Interaction(first[0]->interaction_id)})->integer,
      1);

  // No replica: stored on the master, but the client is told to retry.
  ASSERT_TRUE(replica.process().Signal(SIGKILL));
  replica.process().Wait(5000);
  intake::Submission t = Chat("and my refund");
  t.idempotency_key = "order-2";
  auto second = impatient.Submit(kTenant, {&t});
  ASSERT_EQ(second[0].status().code(), absl::StatusCode::kUnavailable) << second[0].status();
  EXPECT_NE(second[0].status().message().find("0 of 1 replica(s) acknowledged within 100 ms"),
            std::string::npos)
      << second[0].status();
  EXPECT_NE(second[0].status().message().find("retry with the same idempotency key"),
            std::string::npos);
  auto retry = store_->Submit(kTenant, {&t});  // no WAIT: the stored interaction, not a new one
  ASSERT_TRUE(retry[0].ok()) << retry[0].status();
  EXPECT_FALSE(retry[0]->created);
  EXPECT_NE(second[0].status().message().find(retry[0]->interaction_id), std::string::npos);
  EXPECT_EQ(Int({"XLEN", keys_.IntakeStream()}), 2);
}

}  // namespace
}  // namespace omniroute
