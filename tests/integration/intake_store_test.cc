// Intake against a real Redis: idempotent submission, rejected submissions, cancellation in
// every state.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class IntakeStoreTest : public RedisFixture {
 protected:
  int64_t DbSize() { return Int({"DBSIZE"}); }
  int64_t InteractionCount() { return static_cast<int64_t>(Scan(keys_.prefix() + ":ix:*").size()); }
  int64_t Abandoned(const std::string& queue) {
    auto stats = engine_->QueueStats(kTenant, queue);
    EXPECT_TRUE(stats.ok()) << stats.status();
    return stats.ok() ? stats->abandoned() : -1;
  }
};

TEST_F(IntakeStoreTest, SameIdempotencyKeyTwiceStoresOneInteraction) {
  intake::Submission s = Chat("where is my parcel");
  s.idempotency_key = "order-77-retry";
  auto first = store_->Submit(kTenant, {&s});
  ASSERT_TRUE(first[0].ok()) << first[0].status();
  EXPECT_TRUE(first[0]->created);
  clock_.Advance(5000);  // a client retry after a time-out
  auto second = store_->Submit(kTenant, {&s});
  ASSERT_TRUE(second[0].ok()) << second[0].status();
  EXPECT_FALSE(second[0]->created);
  EXPECT_EQ(second[0]->interaction_id, first[0]->interaction_id);

  EXPECT_EQ(InteractionCount(), 1);
  EXPECT_EQ(Int({"XLEN", keys_.IntakeStream()}), 1);
  EXPECT_EQ(EventTypes(first[0]->interaction_id), std::vector<std::string>{"submitted"});
  EXPECT_EQ(Cmd({"GET", keys_.Idempotency("order-77-retry")}).str, first[0]->interaction_id);
  auto stored = store_->Get(kTenant, first[0]->interaction_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->created_at_ms(), clock_.NowMs() - 5000);  // the first request's time
  EXPECT_EQ(stored->subject(), "where is my parcel");
}

TEST_F(IntakeStoreTest, SameIdempotencyKeyWithADifferentRequestIsAlreadyExists) {
  intake::Submission s = Chat("where is my parcel");
  s.idempotency_key = "k1";
  std::string id = Submit(s);
  ASSERT_FALSE(id.empty());
  intake::Submission changed = s;
  changed.body = "and also a refund";
  auto r = store_->Submit(kTenant, {&changed});
  EXPECT_EQ(r[0].status().code(), absl::StatusCode::kAlreadyExists) << r[0].status();
  EXPECT_EQ(InteractionCount(), 1);
  EXPECT_EQ(Int({"XLEN", keys_.IntakeStream()}), 1);
  EXPECT_EQ(HGet(keys_.Interaction(id), "body"), "");
}

TEST_F(IntakeStoreTest, ConcurrentSubmissionsWithOneKeyCreateExactlyOneInteraction) {
  constexpr int kThreads = 8;
  std::vector<absl::StatusOr<intake::SubmitOutcome>> results(kThreads,
                                                             absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([this, i, &results] {
      intake::Submission s = Chat("hello from a retrying client");
      s.idempotency_key = "shared-key";
      results[i] = store_->Submit(kTenant, {&s})[0];
    });
  }
  for (auto& t : threads) t.join();
  int created = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->interaction_id, results[0]->interaction_id);
    created += r->created ? 1 : 0;
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(InteractionCount(), 1);
  EXPECT_EQ(Int({"XLEN", keys_.IntakeStream()}), 1);
}

TEST_F(IntakeStoreTest, UnknownRequestedQueueIsInvalidArgumentAndStoresNothing) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  int64_t before = DbSize();
  intake::Submission s = Chat("hi", 0, "no-such-queue");
  s.idempotency_key = "k-noqueue";
  auto r = store_->Submit(kTenant, {&s});
  EXPECT_EQ(r[0].status().code(), absl::StatusCode::kInvalidArgument) << r[0].status();
  EXPECT_EQ(DbSize(), before);
  EXPECT_EQ(Int({"EXISTS", keys_.Idempotency("k-noqueue")}), 0);
  // A batch keeps its good items: only the bad one is refused.
  intake::Submission good = Chat("hi", 0, "general");
  auto batch = store_->Submit(kTenant, {&s, &good});
  EXPECT_EQ(batch[0].status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(batch[1].ok()) << batch[1].status();
  EXPECT_EQ(InteractionCount(), 1);
}

TEST_F(IntakeStoreTest, CancelQueuedRemovesItFromTheQueueAndCountsItAbandoned) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  std::string id = SubmitAndRoute(Chat("hello"));
  ASSERT_EQ(State(id), "queued");
  ASSERT_TRUE(ZScore(keys_.Waiting("general", v1::CHANNEL_CHAT), id).has_value());

  intake::IntakeStore::Abandoned abandoned;
  auto st = store_->Cancel(kTenant, id, "customer_hung_up", &abandoned);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(*st, v1::INTERACTION_STATE_CANCELED);
  // What omniroute_queue_abandoned_total is labelled with.
  EXPECT_EQ(abandoned.queue, "general");
  EXPECT_EQ(abandoned.channel, v1::CHANNEL_CHAT);
  EXPECT_EQ(State(id), "canceled");
  EXPECT_EQ(HGet(keys_.Interaction(id), "end_reason"), "customer_hung_up");
  EXPECT_FALSE(ZScore(keys_.Waiting("general", v1::CHANNEL_CHAT), id).has_value());
  EXPECT_EQ(Abandoned("general"), 1);
  EXPECT_GT(Int({"TTL", keys_.Interaction(id)}), 0);  // finished interactions expire
  // An agent logging in now gets nothing: the canceled item is gone from the queue.
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(State(id), "canceled");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "0");
}

TEST_F(IntakeStoreTest, ListQueueChannelsNamesEveryQueueAndChannelOfEveryTenant) {
  AddQueue("general", {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL});
  AddQueue("phones", {v1::CHANNEL_VOICE});
  // The tenant set is what the Admin API and omniroute-ctl maintain; a bad entry is skipped.
  Int({"SADD", kTenantsKey, kTenant, "bad tenant!"});
  auto qcs = store_->ListQueueChannels();
  ASSERT_TRUE(qcs.ok()) << qcs.status();
  std::set<std::string> got;
  for (const auto& qc : *qcs) {
    got.insert(qc.tenant + "/" + qc.queue + "/" + std::to_string(qc.channel));
  }
  EXPECT_EQ(got, (std::set<std::string>{
                     std::string(kTenant) + "/general/" + std::to_string(v1::CHANNEL_CHAT),
                     std::string(kTenant) + "/general/" + std::to_string(v1::CHANNEL_EMAIL),
                     std::string(kTenant) + "/phones/" + std::to_string(v1::CHANNEL_VOICE)}));
}

TEST_F(IntakeStoreTest, CancelOfferedFreesTheAgentAndRescindsTheOffer) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string id = SubmitAndRoute(Chat("first"));
  std::string next = SubmitAndRoute(Chat("second"));
  ASSERT_EQ(State(id), "offered");
  ASSERT_EQ(State(next), "queued");
  ASSERT_EQ(Load("alice", v1::CHANNEL_CHAT), "1");

  intake::IntakeStore::Abandoned abandoned;
  auto st = store_->Cancel(kTenant, id, "customer_hung_up", &abandoned);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(*st, v1::INTERACTION_STATE_CANCELED);
  EXPECT_EQ(abandoned.queue, "general");
  EXPECT_EQ(State(id), "canceled");
  EXPECT_EQ(OfferedTo(id), "");
  EXPECT_FALSE(ZScore(keys_.Timers(), id).has_value());  // no deadline left to fire
  auto offers = XRange(keys_.AgentOffers("alice"));
  ASSERT_GE(offers.size(), 2u);
  const Entry& rescind = offers[1];
  EXPECT_EQ(rescind["kind"], "rescind");
  EXPECT_EQ(rescind["ix"], id);
  EXPECT_EQ(rescind["reason"], "canceled");
  EXPECT_EQ(Abandoned("general"), 1);
  // The freed capacity goes to the waiting item at once.
  EXPECT_EQ(State(next), "offered");
  EXPECT_EQ(OfferedTo(next), "alice");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "1");
}

TEST_F(IntakeStoreTest, CancelAssignedIsFailedPreconditionAndChangesNothing) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string id = SubmitAndRoute(Chat("hello"));
  ASSERT_TRUE(engine_->Accept(kTenant, "alice", id).ok());
  auto st = store_->Cancel(kTenant, id, "customer_hung_up");
  EXPECT_EQ(st.status().code(), absl::StatusCode::kFailedPrecondition) << st.status();
  EXPECT_EQ(State(id), "assigned");
  EXPECT_EQ(OfferedTo(id), "alice");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "1");
  EXPECT_EQ(Abandoned("general"), 0);
}

TEST_F(IntakeStoreTest, CancelTwiceIsIdempotentAndUnknownIsNotFound) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  std::string id = SubmitAndRoute(Chat("hello"));
  ASSERT_TRUE(store_->Cancel(kTenant, id, "first").ok());
  clock_.Advance(1000);
  intake::IntakeStore::Abandoned abandoned;
  auto again = store_->Cancel(kTenant, id, "second", &abandoned);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(abandoned.queue, "") << "a repeated cancel abandons nothing more";
  EXPECT_EQ(*again, v1::INTERACTION_STATE_CANCELED);
  EXPECT_EQ(HGet(keys_.Interaction(id), "end_reason"), "first");
  EXPECT_EQ(HGet(keys_.Interaction(id), "ended_ms"), std::to_string(clock_.NowMs() - 1000));
  EXPECT_EQ(Abandoned("general"), 1);
  EXPECT_EQ(EventTypes(id),
            (std::vector<std::string>{"submitted", "classified", "queued", "canceled"}));

  auto unknown = store_->Cancel(kTenant, "0123456789abcdef0123456789abcdef", "x");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound) << unknown.status();
  EXPECT_EQ(Int({"EXISTS", keys_.Interaction("0123456789abcdef0123456789abcdef")}), 0);
}

}  // namespace
}  // namespace omniroute
