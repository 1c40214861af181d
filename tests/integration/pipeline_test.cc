// The whole pipeline in one process against a real redis-server: intake store -> intake
// stream -> classifier -> classified stream -> routing engine -> offer -> accept -> complete.
#include <gtest/gtest.h>

#include "services/classification/classifier_worker.h"
#include "services/common/grpc/auth.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/intake/intake_store.h"
#include "services/routing/routing_engine.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"

namespace omniroute {
namespace {

class PipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { redis_ = new testing::RedisServer(); }
  static void TearDownTestSuite() { delete redis_; }

  void SetUp() override {
    redis_->FlushAll();
    pool_ = std::make_unique<redis::Pool>(redis_->endpoint(), 4, std::chrono::milliseconds(2000));
    conn_ = redis_->Connect();
    ASSERT_TRUE(CreateApiKey(*conn_, "acme", {Role::kAdmin}, "t").ok());
    store_ = std::make_unique<intake::IntakeStore>(pool_.get(), &redis::Scripts::Embedded(),
                                                   &clock_, &ids_, intake::IntakeOptions{});
    engine_ = std::make_unique<routing::RoutingEngine>(pool_.get(), &redis::Scripts::Embedded(),
                                                       &clock_, routing::RoutingOptions{});
    configs_ = std::make_unique<classification::ConfigCache>(&clock_, 0);
    metrics_ = std::make_unique<classification::ClassificationMetrics>(registry_);
    worker_ = std::make_unique<classification::ClassifierWorker>(
        pool_.get(), &redis::Scripts::Embedded(), &clock_, configs_.get(), metrics_.get(), 1000);
  }

  // Runs classification and routing consumers until both streams are drained.
  void Pump() {
    redis::StreamConsumer classify(pool_.get(), {"s:intake", kClassificationGroup, "c1", 10},
                                   [&](const auto& e) { return worker_->Handle(e); });
    redis::StreamConsumer route(pool_.get(), {"s:classified", kRoutingGroup, "r1", 10},
                                [&](const auto& e) { return engine_->Enqueue(e).status(); });
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(classify.PollOnce(*conn_).ok());
      ASSERT_TRUE(route.PollOnce(*conn_).ok());
    }
  }

  std::string HGet(const std::string& key, const std::string& field) {
    auto r = conn_->Command({"HGET", key, field});
    return r.ok() ? r->str : "";
  }

  static testing::RedisServer* redis_;
  testing::FakeClock clock_;
  RandomIdGenerator ids_;
  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<redis::Connection> conn_;
  std::unique_ptr<intake::IntakeStore> store_;
  std::unique_ptr<routing::RoutingEngine> engine_;
  std::unique_ptr<classification::ConfigCache> configs_;
  std::unique_ptr<classification::ClassificationMetrics> metrics_;
  std::unique_ptr<classification::ClassifierWorker> worker_;
};

testing::RedisServer* PipelineTest::redis_ = nullptr;

TEST_F(PipelineTest, SubmitClassifyQueueOfferAcceptComplete) {
  v1::Queue q;
  q.set_name("chat");
  q.add_channels(v1::CHANNEL_CHAT);
  q.set_sla_threshold_seconds(20);
  q.set_offer_timeout_seconds(20);
  ASSERT_TRUE(engine_->PutQueue("acme", q).ok());
  v1::TenantConfig cfg;
  (*cfg.mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = "chat";
  ASSERT_TRUE(engine_->PutConfig("acme", cfg).ok());

  intake::Submission s;
  s.channel = v1::CHANNEL_CHAT;
  s.subject = "hello";
  auto results = store_->Submit("acme", {&s});
  ASSERT_TRUE(results[0].ok()) << results[0].status();
  std::string id = results[0]->interaction_id;

  Pump();
  TenantKeys keys("acme");
  EXPECT_EQ(HGet(keys.Interaction(id), "state"), "queued");

  routing::AgentUpdate a{"alice", "available", {}, {{v1::CHANNEL_CHAT, 2}}};
  auto queues = engine_->SetAgentState("acme", a);
  ASSERT_TRUE(queues.ok()) << queues.status();
  EXPECT_EQ(*queues, std::vector<std::string>{"chat"});
  EXPECT_EQ(HGet(keys.Interaction(id), "state"), "offered");
  EXPECT_EQ(HGet(keys.Interaction(id), "agent"), "alice");

  clock_.Advance(3000);
  auto accepted = engine_->Accept("acme", "alice", id);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->wait_ms, 3000);
  ASSERT_TRUE(engine_->Complete("acme", "alice", id).ok());
  EXPECT_EQ(HGet(keys.Interaction(id), "state"), "completed");
  EXPECT_EQ(HGet(keys.Agent("alice"), "load:2"), "0");
  auto stats = engine_->QueueStats("acme", "chat");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->answered(), 1);
  EXPECT_EQ(stats->answered_within_sla(), 1);
  EXPECT_EQ(stats->completed(), 1);
}

}  // namespace
}  // namespace omniroute
