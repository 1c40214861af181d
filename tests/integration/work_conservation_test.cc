// Work conservation at the edges of timers: every transition that frees an agent or makes
// work eligible again offers at once, without waiting for the 1 s sweep (never run here).
#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class WorkConservationTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("qa", {v1::CHANNEL_CHAT}, {}, /*offer_timeout_seconds=*/1);
    AddQueue("qb", {v1::CHANNEL_CHAT}, {}, /*offer_timeout_seconds=*/1);
    ASSERT_TRUE(Login("solo", {{v1::CHANNEL_CHAT, 1}}).ok());
  }
  void Tick(int64_t ms) {
    clock_.Advance(ms);
    ASSERT_TRUE(engine_->ExpireOffers({kTenant}).ok());
  }
  std::string LastTrigger(const std::string& id) {
    auto r = engine_->Explain(kTenant, id);
    if (!r.ok() || r->decisions().empty()) return "";
    return r->decisions(r->decisions_size() - 1).trigger();
  }
};

// A lapsed offer frees the agent: work waiting in its other queues is offered at once.
TEST_F(WorkConservationTest, AnAgentFreedByALapsedOfferGetsWorkOfItsOtherQueues) {
  std::string a = SubmitAndRoute(Chat("a", 3, "qa"));
  ASSERT_EQ(OfferedTo(a), "solo");
  std::string b = SubmitAndRoute(Chat("b", 3, "qb"));
  ASSERT_EQ(State(b), "queued");
  Tick(1000);  // a's offer lapses; a skips solo for 30 s
  EXPECT_EQ(State(a), "queued");
  EXPECT_EQ(OfferedTo(b), "solo");
}

// When the skip of the only free agent ends, the work it declined is offered to it again.
TEST_F(WorkConservationTest, WorkIsOfferedAgainWhenTheSkipOfTheOnlyFreeAgentEnds) {
  std::string a = SubmitAndRoute(Chat("a", 3, "qa"));
  ASSERT_EQ(OfferedTo(a), "solo");
  ASSERT_TRUE(engine_->Reject(kTenant, "solo", a, "busy").ok());
  EXPECT_EQ(State(a), "queued");
  Tick(routing_options_.skip_ms - 1);
  EXPECT_EQ(State(a), "queued") << "offered again while still skipped";
  Tick(1);
  EXPECT_EQ(OfferedTo(a), "solo");
  EXPECT_EQ(LastTrigger(a), "skip_ended");
}

}  // namespace
}  // namespace omniroute
