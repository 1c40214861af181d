// Feedback: agents' corrections of classifications are kept with the interaction and in the
// tenant's corrections log, with the text, and read back (paged) for export.
#include "services/classification/feedback.h"

#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

using classification::CorrectionRequest;

class FeedbackTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    AddQueue("support", {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL});
    v1::TenantConfig c;
    c.set_default_queue("support");
    auto* rule = c.add_rules();
    rule->set_name("cards");
    rule->add_keywords("card");
    rule->set_category("card_issue");
    SetConfig(c);
  }
  absl::StatusOr<classification::CorrectedFrom> Correct(const std::string& id,
                                                        const std::string& intent,
                                                        const std::string& agent = "ann") {
    CorrectionRequest r{agent, id, intent, intent + "_cat", "wrong one"};
    EXPECT_TRUE(classification::ValidateCorrection(r).ok());
    clock_.Advance(10);
    return classification::RecordCorrection(*conn_, redis::Scripts::Embedded(), kTenant, r,
                                            clock_.NowMs(), 1000, 100);
  }
};

TEST_F(FeedbackTest, ACorrectionIsKeptWithTheInteractionAndLoggedWithItsText) {
  intake::Submission email;
  email.channel = v1::CHANNEL_EMAIL;
  email.subject = "My card, again";
  email.body = "It was charged twice, \"urgently\" please";
  std::string id = SubmitAndRoute(email);
  auto from = Correct(id, "transaction_charged_twice");
  ASSERT_TRUE(from.ok()) << from.status();
  EXPECT_EQ(from->category, "card_issue");
  EXPECT_EQ(from->source, "rule");
  EXPECT_EQ(from->rule, "cards");
  EXPECT_EQ(from->queue, "support");
  EXPECT_FALSE(from->log_id.empty());
  EXPECT_EQ(HGet(keys_.Interaction(id), "corrected_intent"), "transaction_charged_twice");
  EXPECT_EQ(HGet(keys_.Interaction(id), "corrected_category"), "transaction_charged_twice_cat");
  EXPECT_EQ(HGet(keys_.Interaction(id), "corrected_by"), "ann");
  EXPECT_EQ(State(id), "queued") << "a correction does not move the work";
  auto ix = store_->Get(kTenant, id);
  ASSERT_TRUE(ix.ok());
  EXPECT_EQ(ix->classification().corrected_intent(), "transaction_charged_twice");
  EXPECT_EQ(ix->classification().category(), "card_issue") << "what classification said stays";

  // The log outlives the interaction: it holds the text.
  Cmd({"DEL", keys_.Interaction(id)});
  auto log = classification::ReadCorrections(*conn_, kTenant, 0);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->size(), 1u);
  const auto& c = (*log)[0];
  EXPECT_EQ(c.interaction_id, id);
  EXPECT_EQ(c.agent, "ann");
  EXPECT_EQ(c.intent, "transaction_charged_twice");
  EXPECT_EQ(c.from_category, "card_issue");
  EXPECT_EQ(c.from_source, "rule");
  EXPECT_EQ(c.channel, v1::CHANNEL_EMAIL);
  EXPECT_EQ(c.comment, "wrong one");
  EXPECT_EQ(c.at_ms, clock_.NowMs());
  EXPECT_EQ(c.Text(), "My card, again It was charged twice, \"urgently\" please");
  auto types = EventTypes(id);
  EXPECT_NE(std::find(types.begin(), types.end(), "reclassified"), types.end());
}

TEST_F(FeedbackTest, UnknownOrUnclassifiedInteractionsAreRefusedAndNothingIsLogged) {
  auto missing = Correct(std::string(32, 'b'), "x");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  std::string received = Submit(Chat("card"));  // not classified yet (no Pump)
  auto early = Correct(received, "x");
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition) << early.status();
  EXPECT_EQ(Cmd({"XLEN", keys_.Corrections()}).integer, 0);
  EXPECT_EQ(HGet(keys_.Interaction(received), "corrected_intent"), "");
  CorrectionRequest bad{"ann", received, "no spaces allowed", "c", ""};
  auto st = classification::ValidateCorrection(bad);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("intent"), std::string::npos) << st;
}

TEST_F(FeedbackTest, TheLogIsReadInPagesAndTheLatestCorrectionPerInteractionWins) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(SubmitAndRoute(Chat("card " + std::to_string(i))));
  for (const auto& id : ids) ASSERT_TRUE(Correct(id, "first").ok());
  int64_t second_round = clock_.NowMs() + 1;
  ASSERT_TRUE(Correct(ids[1], "second", "bob").ok());
  auto all = classification::ReadCorrections(*conn_, kTenant, 0, /*page=*/2);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 6u) << "three pages of 2";
  auto latest = classification::LatestPerInteraction(*all);
  ASSERT_EQ(latest.size(), 5u);
  EXPECT_EQ(latest.back().interaction_id, ids[1]);
  EXPECT_EQ(latest.back().intent, "second");
  EXPECT_EQ(latest.back().agent, "bob");
  auto recent = classification::ReadCorrections(*conn_, kTenant, second_round);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].intent, "second");
}

}  // namespace
}  // namespace omniroute
