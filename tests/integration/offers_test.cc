// Offers against a real Redis: agent selection, capacity, reject, time-outs, accept, complete,
// and queue order by priority head start.
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class OffersTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("support", {v1::CHANNEL_CHAT, v1::CHANNEL_VOICE}, {}, /*offer_timeout_seconds=*/10);
    RouteAllTo("support");
  }

  // Ids of the interactions currently offered to or assigned to `agent`.
  std::vector<std::string> HeldBy(const std::vector<std::string>& ids, const std::string& agent) {
    std::vector<std::string> out;
    for (const auto& id : ids) {
      std::string state = State(id);
      if ((state == "offered" || state == "assigned") && OfferedTo(id) == agent) {
        out.push_back(id);
      }
    }
    return out;
  }
  bool Eligible(const std::string& agent, int channel) {
    return ZScore(keys_.Available("support", channel), agent).has_value();
  }

  static constexpr int64_t kOfferMs = 10000;
};

TEST_F(OffersTest, LongestIdleAgentGetsTheFirstOffer) {
  // "zed" has been idle longest; name order or login order must not decide.
  ASSERT_TRUE(Login("zed", {{v1::CHANNEL_CHAT, 1}}).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Login("amy", {{v1::CHANNEL_CHAT, 1}}).ok());
  clock_.Advance(1000);
  std::string first = SubmitAndRoute(Chat("one"));
  EXPECT_EQ(State(first), "offered");
  EXPECT_EQ(OfferedTo(first), "zed");
  std::string second = SubmitAndRoute(Chat("two"));
  EXPECT_EQ(OfferedTo(second), "amy");
  auto offers = XRange(keys_.AgentOffers("zed"));
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0]["kind"], "offer");
  EXPECT_EQ(offers[0]["ix"], first);
  EXPECT_EQ(offers[0]["deadline"], std::to_string(clock_.NowMs() + kOfferMs));
}

TEST_F(OffersTest, CapacityPerChannelIsNeverExceeded) {
  // Per-channel limits only: voice is not worked alone here (see cross_channel_test.cc).
  v1::TenantConfig c;
  c.set_default_queue("support");
  c.add_exclusive_channels(v1::CHANNEL_UNSPECIFIED);
  SetConfig(c);
  std::vector<std::string> chats, calls;
  for (int i = 0; i < 5; ++i) chats.push_back(SubmitAndRoute(Chat("chat " + std::to_string(i))));
  for (int i = 0; i < 2; ++i) {
    intake::Submission call = Chat("call");
    call.channel = v1::CHANNEL_VOICE;
    calls.push_back(SubmitAndRoute(call));
  }
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 2}, {v1::CHANNEL_VOICE, 1}}).ok());
  EXPECT_EQ(HeldBy(chats, "alice").size(), 2u);
  EXPECT_EQ(HeldBy(calls, "alice").size(), 1u);
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "2");
  EXPECT_EQ(Load("alice", v1::CHANNEL_VOICE), "1");
  EXPECT_EQ(Int({"ZCARD", keys_.Waiting("support", v1::CHANNEL_CHAT)}), 3);
  EXPECT_EQ(Int({"ZCARD", keys_.Waiting("support", v1::CHANNEL_VOICE)}), 1);
  EXPECT_FALSE(Eligible("alice", v1::CHANNEL_CHAT));
  EXPECT_FALSE(Eligible("alice", v1::CHANNEL_VOICE));
  // Neither the safety-net sweep nor re-sending the state makes another offer.
  auto swept = engine_->Sweep({kTenant});
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0);
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 2}, {v1::CHANNEL_VOICE, 1}}).ok());
  EXPECT_EQ(HeldBy(chats, "alice").size(), 2u);

  // Finishing one chat frees exactly one chat slot.
  std::string done = HeldBy(chats, "alice")[0];
  ASSERT_TRUE(engine_->Accept(kTenant, "alice", done).ok());
  ASSERT_TRUE(engine_->Complete(kTenant, "alice", done).ok());
  EXPECT_EQ(HeldBy(chats, "alice").size(), 2u);
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "2");
  EXPECT_EQ(Int({"ZCARD", keys_.Waiting("support", v1::CHANNEL_CHAT)}), 2);
}

TEST_F(OffersTest, RejectedOfferReturnsToItsPlaceAndGoesToAnotherAgent) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}).ok());
  ASSERT_TRUE(Login("carol", {{v1::CHANNEL_CHAT, 0}}).ok());  // no chat capacity
  std::string id = SubmitAndRoute(Chat("hello"));
  ASSERT_EQ(OfferedTo(id), "alice");
  std::string score = HGet(keys_.Interaction(id), "score");

  ASSERT_TRUE(engine_->Reject(kTenant, "alice", id, "busy").ok());
  EXPECT_EQ(State(id), "offered");
  EXPECT_EQ(OfferedTo(id), "bob");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "0");
  EXPECT_TRUE(Eligible("alice", v1::CHANNEL_CHAT));  // free again, just not for this item
  EXPECT_EQ(HGet(keys_.Interaction(id), "score"), score);

  // Rejected by everyone who can take it: it waits in its old place.
  ASSERT_TRUE(engine_->Reject(kTenant, "bob", id, "busy").ok());
  EXPECT_EQ(State(id), "queued");
  auto queued_score = ZScore(keys_.Waiting("support", v1::CHANNEL_CHAT), id);
  ASSERT_TRUE(queued_score.has_value());
  EXPECT_EQ(*queued_score, std::stod(score));
  // Other work still goes to the agents who declined this one.
  std::string other = SubmitAndRoute(Chat("other"));
  EXPECT_EQ(State(other), "offered");
  EXPECT_EQ(State(id), "queued");

  // A reject from someone the item is not offered to is refused.
  EXPECT_EQ(engine_->Reject(kTenant, "carol", other, "x").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(OffersTest, RejectingAgentIsSkippedUntilSkipTimePasses) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string id = SubmitAndRoute(Chat("hello"));
  ASSERT_EQ(OfferedTo(id), "alice");
  ASSERT_TRUE(engine_->Reject(kTenant, "alice", id, "not now").ok());
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "0");

  clock_.Advance(routing_options_.skip_ms - 1);
  auto early = engine_->Sweep({kTenant});
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(*early, 0);
  EXPECT_EQ(State(id), "queued");

  clock_.Advance(1);
  auto due = engine_->Sweep({kTenant});
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(*due, 1);
  EXPECT_EQ(State(id), "offered");
  EXPECT_EQ(OfferedTo(id), "alice");
}

TEST_F(OffersTest, OfferTimeoutRequeuesAndCountsAMissedOffer) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string id = SubmitAndRoute(Chat("hello"));
  ASSERT_EQ(OfferedTo(id), "alice");

  clock_.Advance(kOfferMs - 1);
  auto early = engine_->ExpireOffers({kTenant});
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(*early, 0);
  EXPECT_EQ(State(id), "offered");

  clock_.Advance(1);
  auto fired = engine_->ExpireOffers({kTenant});
  ASSERT_TRUE(fired.ok()) << fired.status();
  EXPECT_EQ(*fired, 1);
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(OfferedTo(id), "");
  EXPECT_TRUE(ZScore(keys_.Waiting("support", v1::CHANNEL_CHAT), id).has_value());
  EXPECT_FALSE(ZScore(keys_.Timers(), id).has_value());
  EXPECT_EQ(HGet(keys_.Agent("alice"), "missed"), "1");
  EXPECT_EQ(HGet(keys_.Agent("alice"), "state"), "available");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "0");
  auto offers = XRange(keys_.AgentOffers("alice"));
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[1]["kind"], "rescind");
  EXPECT_EQ(offers[1]["reason"], "deadline");
  // Firing again is a no-op.
  auto again = engine_->ExpireOffers({kTenant});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(HGet(keys_.Agent("alice"), "missed"), "1");
}

TEST_F(OffersTest, ThreeConsecutiveMissedOffersSetTheAgentAway) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(SubmitAndRoute(Chat("item " + std::to_string(i))));
  for (int miss = 1; miss <= 3; ++miss) {
    ASSERT_EQ(HeldBy(ids, "alice").size(), 1u) << "before miss " << miss;
    clock_.Advance(kOfferMs);
    auto fired = engine_->ExpireOffers({kTenant});
    ASSERT_TRUE(fired.ok()) << fired.status();
    EXPECT_EQ(*fired, 1);
    EXPECT_EQ(HGet(keys_.Agent("alice"), "missed"), std::to_string(miss));
    EXPECT_EQ(HGet(keys_.Agent("alice"), "state"), miss < 3 ? "available" : "away");
  }
  // Away: nothing is offered to her, all work waits.
  EXPECT_TRUE(HeldBy(ids, "alice").empty());
  for (const auto& id : ids) EXPECT_EQ(State(id), "queued");
  EXPECT_FALSE(Eligible("alice", v1::CHANNEL_CHAT));
  clock_.Advance(routing_options_.skip_ms);
  auto swept = engine_->Sweep({kTenant});
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0);
  // Coming back resets the count and brings work again.
  ASSERT_TRUE(Login("alice", {}).ok());
  EXPECT_EQ(HGet(keys_.Agent("alice"), "missed"), "0");
  EXPECT_EQ(HeldBy(ids, "alice").size(), 1u);
}

TEST_F(OffersTest, AcceptAfterTheDeadlineFiredOrByAnotherAgentIsFailedPrecondition) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  clock_.Advance(1);
  ASSERT_TRUE(Login("bob", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string id = SubmitAndRoute(Chat("hello"));
  ASSERT_EQ(OfferedTo(id), "alice");

  auto wrong = engine_->Accept(kTenant, "bob", id);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition) << wrong.status();
  EXPECT_EQ(State(id), "offered");
  EXPECT_EQ(OfferedTo(id), "alice");
  EXPECT_EQ(Load("bob", v1::CHANNEL_CHAT), "0");

  // Bob leaves, so the lapsed offer has nobody to go to and waits.
  ASSERT_TRUE(engine_->SetAgentState(kTenant, {"bob", "away", {}, {}}).ok());
  clock_.Advance(kOfferMs);
  auto fired = engine_->ExpireOffers({kTenant});
  ASSERT_TRUE(fired.ok());
  ASSERT_EQ(*fired, 1);
  ASSERT_EQ(State(id), "queued");
  auto late = engine_->Accept(kTenant, "alice", id);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition) << late.status();
  EXPECT_EQ(State(id), "queued");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "0");
  auto stats = engine_->QueueStats(kTenant, "support");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->answered(), 0);

  auto unknown = engine_->Accept(kTenant, "alice", "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(OffersTest, CompleteFreesCapacityAndOffersTheNextWaitingItemAtOnce) {
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  std::string first = SubmitAndRoute(Chat("first"));
  clock_.Advance(1000);
  std::string second = SubmitAndRoute(Chat("second"));
  ASSERT_EQ(State(first), "offered");
  ASSERT_EQ(State(second), "queued");
  EXPECT_EQ(engine_->Complete(kTenant, "alice", first).status().code(),
            absl::StatusCode::kFailedPrecondition);  // not accepted yet

  clock_.Advance(2000);
  auto accepted = engine_->Accept(kTenant, "alice", first);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->wait_ms, 3000);
  EXPECT_EQ(State(second), "queued");  // still no free capacity
  ASSERT_TRUE(engine_->Complete(kTenant, "alice", first).ok());
  EXPECT_EQ(State(first), "completed");
  EXPECT_EQ(State(second), "offered");
  EXPECT_EQ(OfferedTo(second), "alice");
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "1");
  // Twice (a client's retry): answered as the first time, the capacity not released again.
  EXPECT_TRUE(engine_->Complete(kTenant, "alice", first).ok());
  EXPECT_EQ(Load("alice", v1::CHANNEL_CHAT), "1");
}

class PriorityTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("support", {v1::CHANNEL_CHAT});
    RouteAllTo("support");  // default head starts: P1 120 s, P2 60 s, P3 30 s, P4 0 s
  }
};

TEST_F(PriorityTest, P1SubmittedAfterP4IsOfferedFirst) {
  std::string p4 = SubmitAndRoute(Chat("low", 4));
  clock_.Advance(1000);
  std::string p1 = SubmitAndRoute(Chat("urgent", 1));
  ASSERT_EQ(State(p4), "queued");
  ASSERT_EQ(State(p1), "queued");
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(State(p1), "offered");
  EXPECT_EQ(State(p4), "queued");
}

TEST_F(PriorityTest, OldP4BeatsFreshP1AfterTheHeadStartDifference) {
  std::string p4 = SubmitAndRoute(Chat("low", 4));
  clock_.Advance(120 * 1000 + 1);  // P1's head start over P4 is 120 s
  std::string p1 = SubmitAndRoute(Chat("urgent", 1));
  ASSERT_TRUE(Login("alice", {{v1::CHANNEL_CHAT, 1}}).ok());
  EXPECT_EQ(State(p4), "offered");
  EXPECT_EQ(State(p1), "queued");
}

}  // namespace
}  // namespace omniroute
