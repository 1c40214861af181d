// Tier-0 deflection end to end, with the real services and an intent model trained on Banking77
// messages: a "reset my password" chat is recognised as passcode_forgotten, goes to the
// self-service (bot) queue, and once the bot escalates it reaches a human agent as the same
// interaction, in the same conversation, with the bot's context.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "services/classification/model/csv.h"
#include "services/classification/model/trainer.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using sim::ApiClient;

// A model over a few Banking77 intents (every training message of each), so the test does not
// depend on hand-written phrasings.
std::string SmallBanking77Model() {
  auto all = classification::model::ReadLabelledCsvFile(OMNIROUTE_BANKING77_CSV);
  EXPECT_TRUE(all.ok()) << all.status();
  if (!all.ok()) return "";
  const std::set<std::string> labels = {"passcode_forgotten", "card_arrival", "lost_or_stolen_card",
                                        "exchange_rate", "top_up_failed"};
  std::vector<classification::model::Example> examples;
  for (const auto& e : *all) {
    if (labels.count(e.label)) examples.push_back(e);
  }
  auto model = classification::model::TrainIntentModel(examples, {});
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? model->ToBytes() : "";
}

TEST(SelfServiceE2E, AResetMyPasswordChatGoesToTheBotAndEscalatedReachesAHumanWithItsContext) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("botco");
  ApiClient api(cluster.endpoints());
  auto admin = [&] { return ApiClient::Context(keys["admin"]); };
  auto integrator = [&] { return ApiClient::Context(keys["integrator"]); };
  auto agent = [&] { return ApiClient::Context(keys["agent"]); };
  ASSERT_TRUE(e2e::PutQueue(api, keys["admin"], "support", {v1::CHANNEL_CHAT}).ok());
  ASSERT_TRUE(e2e::PutQueue(api, keys["admin"], "security", {v1::CHANNEL_CHAT}).ok());
  {
    // Only bots hold the "bot" skill.
    v1::PutQueueRequest r;
    r.mutable_queue()->set_name("bot");
    r.mutable_queue()->add_channels(v1::CHANNEL_CHAT);
    auto* s = r.mutable_queue()->add_required_skills();
    s->set_name("bot");
    s->set_proficiency(1);
    v1::PutQueueResponse resp;
    auto st = api.admin().PutQueue(admin().get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  v1::TenantConfig config;
  config.set_default_queue("support");
  config.set_self_service_queue("bot");
  config.set_min_confidence(0.3);
  auto* m = config.add_intents();
  m->set_intent("passcode_forgotten");
  m->set_category("account_access");
  m->set_self_service(true);
  m->set_queue("security");
  auto* skill = m->add_required_skills();
  skill->set_name("security");
  skill->set_proficiency(2);
  auto put = e2e::PutConfig(api, keys["admin"], config);
  ASSERT_TRUE(put.ok()) << put.error_message();
  auto redis = cluster.redis().Connect();
  e2e::Cmd(*redis,
           {"HSET", "omniroute:model", "version", "b77-small", "bytes", SmallBanking77Model()});
  // The classification replica reloads the model within about a second.
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        v1::ClassifyRequest r;
        r.set_channel(v1::CHANNEL_CHAT);
        r.set_subject("x");
        v1::ClassifyResponse resp;
        return api.classifier().Classify(integrator().get(), r, &resp).ok() &&
               resp.model().model_version() == "b77-small";
      },
      std::chrono::seconds(5), std::chrono::milliseconds(50)));

  auto login = [&](const std::string& id, const std::string& skill_name, int max) {
    v1::SetAgentStateRequest r;
    r.set_agent_id(id);
    r.set_state(v1::AGENT_STATE_AVAILABLE);
    auto* c = r.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(max);
    auto* s = r.add_skills();
    s->set_name(skill_name);
    s->set_proficiency(3);
    v1::SetAgentStateResponse resp;
    auto st = api.routing().SetAgentState(agent().get(), r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
  };
  login("bot-1", "bot", 20);
  login("ann", "security", 1);
  auto get = [&](const std::string& id) {
    return e2e::GetInteraction(api, keys["integrator"], id);
  };
  auto offered_to = [&](const std::string& id, const std::string& who) {
    return e2e::WaitFor(
        [&] {
          auto ix = get(id);
          return ix.state() == v1::INTERACTION_STATE_OFFERED && ix.agent_id() == who;
        },
        std::chrono::seconds(5), std::chrono::milliseconds(20));
  };
  auto accept = [&](const std::string& who, const std::string& id) {
    v1::AcceptOfferRequest r;
    r.set_agent_id(who);
    r.set_interaction_id(id);
    v1::AcceptOfferResponse resp;
    auto st = api.routing().AcceptOffer(agent().get(), r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.interaction();
  };

  v1::SubmitInteractionRequest submit;
  submit.set_channel(v1::CHANNEL_CHAT);
  submit.set_customer_id("cust-42");
  submit.set_subject("Hi, can you reset my password? I can't log in");
  v1::SubmitInteractionResponse submitted;
  ASSERT_TRUE(api.intake().SubmitInteraction(integrator().get(), submit, &submitted).ok());
  const std::string id = submitted.interaction_id();
  ASSERT_TRUE(offered_to(id, "bot-1")) << get(id).DebugString();
  auto at_bot = get(id);
  EXPECT_EQ(at_bot.classification().intent(), "passcode_forgotten");
  EXPECT_EQ(at_bot.classification().source(), "model");
  EXPECT_TRUE(at_bot.classification().self_service());
  EXPECT_EQ(at_bot.classification().queue(), "bot");
  EXPECT_EQ(at_bot.classification().escalation_queue(), "security");
  const std::string conversation = at_bot.conversation_id();
  EXPECT_FALSE(conversation.empty());
  accept("bot-1", id);

  // The bot cannot solve it: it escalates with what it learned.
  v1::EscalateInteractionRequest esc;
  esc.set_agent_id("bot-1");
  esc.set_interaction_id(id);
  esc.set_reason("account locked; needs identity check");
  (*esc.mutable_context())["verified_email"] = "yes";
  (*esc.mutable_context())["transcript_summary"] = "3 failed logins, reset link expired";
  v1::EscalateInteractionResponse escalated;
  auto st = api.routing().EscalateInteraction(agent().get(), esc, &escalated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(escalated.state(), v1::INTERACTION_STATE_QUEUED);
  EXPECT_EQ(escalated.queue(), "security");

  ASSERT_TRUE(offered_to(id, "ann")) << get(id).DebugString();
  {
    // Ann's desktop sees where the offer comes from (open offers are replayed first).
    auto ctx = ApiClient::Context(keys["agent"], std::chrono::seconds(5));
    v1::WatchOffersRequest r;
    r.set_agent_id("ann");
    auto reader = api.routing().WatchOffers(ctx.get(), r);
    v1::Offer offer;
    ASSERT_TRUE(reader->Read(&offer));
    EXPECT_EQ(offer.interaction_id(), id);
    EXPECT_EQ(offer.escalated_from(), "bot");
    ctx->TryCancel();
    (void)reader->Finish();
  }
  v1::Interaction at_human = accept("ann", id);
  EXPECT_EQ(at_human.interaction_id(), id);
  EXPECT_EQ(at_human.conversation_id(), conversation) << "the same conversation";
  EXPECT_EQ(at_human.escalation().from_queue(), "bot");
  EXPECT_EQ(at_human.escalation().to_queue(), "security");
  EXPECT_EQ(at_human.escalation().by_agent_id(), "bot-1");
  EXPECT_EQ(at_human.escalation().reason(), "account locked; needs identity check");
  EXPECT_EQ(at_human.escalation().context().at("verified_email"), "yes");
  EXPECT_EQ(at_human.escalation().context().at("transcript_summary"),
            "3 failed logins, reset link expired");
  EXPECT_EQ(at_human.subject(), submit.subject()) << "the customer's own words travel with it";

  // Bad input is refused with the field named and changes nothing.
  v1::EscalateInteractionRequest bad = esc;
  (*bad.mutable_context())["bad key!"] = "x";
  v1::EscalateInteractionResponse ignored;
  auto refused = api.routing().EscalateInteraction(agent().get(), bad, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("context key"), std::string::npos)
      << refused.error_message();
  EXPECT_EQ(get(id).agent_id(), "ann");

  // Counted apart: one escalated from the bot queue; a second chat the bot resolves is
  // deflected.
  submit.set_customer_id("cust-43");
  submit.set_subject("I forgot my passcode, how do I reset it?");
  ASSERT_TRUE(api.intake().SubmitInteraction(integrator().get(), submit, &submitted).ok());
  ASSERT_TRUE(offered_to(submitted.interaction_id(), "bot-1"));
  accept("bot-1", submitted.interaction_id());
  v1::CompleteInteractionRequest done;
  done.set_agent_id("bot-1");
  done.set_interaction_id(submitted.interaction_id());
  v1::CompleteInteractionResponse done_resp;
  ASSERT_TRUE(api.routing().CompleteInteraction(agent().get(), done, &done_resp).ok());
  v1::GetQueueStatsRequest sr;
  sr.set_queue("bot");
  v1::GetQueueStatsResponse stats;
  ASSERT_TRUE(api.routing().GetQueueStats(agent().get(), sr, &stats).ok());
  EXPECT_EQ(stats.escalated(), 1);
  EXPECT_EQ(stats.deflected(), 1);
  int code = 0;
  auto metrics = e2e::HttpGet(cluster.Replicas("routing")[0]->metrics_port, "/metrics", &code);
  EXPECT_NE(metrics.find("omniroute_self_service_total{outcome=\"escalated\",tenant=\"botco\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("omniroute_self_service_total{outcome=\"deflected\",tenant=\"botco\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace omniroute
