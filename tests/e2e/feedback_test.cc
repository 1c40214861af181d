// Feedback end to end: agents correct classifications through Classifier.Reclassify (counted
// per category in the classification replica's metrics), and `omniroute-model corrections`
// exports them as labelled CSV that the trainer reads.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "services/classification/model/csv.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"
#include "tests/support/process.h"

namespace omniroute {
namespace {

using sim::ApiClient;

TEST(FeedbackE2E, AgentsCorrectionsAreCountedAndExportedAsLabelledCsvForRetraining) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("fbco");
  ApiClient api(cluster.endpoints());
  ASSERT_TRUE(e2e::PutQueue(api, keys["admin"], "support", {v1::CHANNEL_CHAT}).ok());
  v1::TenantConfig config;
  config.set_default_queue("support");
  auto* rule = config.add_rules();
  rule->set_name("cards");
  rule->add_keywords("card");
  rule->set_category("card_issue");
  auto* mapping = config.add_intents();
  mapping->set_intent("card_payment_fee_charged");
  mapping->set_category("fees");
  auto put = e2e::PutConfig(api, keys["admin"], config);
  ASSERT_TRUE(put.ok()) << put.error_message();
  auto submit = [&](const std::string& subject) {
    v1::SubmitInteractionRequest r;
    r.set_channel(v1::CHANNEL_CHAT);
    r.set_subject(subject);
    v1::SubmitInteractionResponse resp;
    EXPECT_TRUE(api.intake()
                    .SubmitInteraction(ApiClient::Context(keys["integrator"]).get(), r, &resp)
                    .ok());
    return resp.interaction_id();
  };
  auto state = [&](const std::string& id) {
    return e2e::GetInteraction(api, keys["integrator"], id);
  };
  auto reclassify = [&](const std::string& id, const std::string& intent,
                        v1::ReclassifyResponse* resp, const std::string& role = "agent") {
    v1::ReclassifyRequest r;
    r.set_agent_id("ann");
    r.set_interaction_id(id);
    r.set_intent(intent);
    r.set_comment("the model got this wrong");
    return api.classifier().Reclassify(ApiClient::Context(keys[role]).get(), r, resp);
  };
  std::vector<std::string> ids = {submit("I was charged a fee for my card payment, why?"),
                                  submit("my card, \"declined\" twice, at the shop"),
                                  submit("hello")};
  for (const auto& id : ids) {
    ASSERT_TRUE(e2e::WaitFor([&] { return state(id).state() == v1::INTERACTION_STATE_QUEUED; },
                             std::chrono::seconds(5), std::chrono::milliseconds(20)));
  }

  v1::ReclassifyResponse resp;
  auto st = reclassify(ids[0], "card_payment_fee_charged", &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.previous().category(), "card_issue");
  EXPECT_EQ(resp.previous().source(), "rule");
  EXPECT_EQ(resp.category(), "fees") << "the tenant's mapping names the category";
  ASSERT_TRUE(reclassify(ids[1], "card_payment_fee_charged", &resp).ok());
  ASSERT_TRUE(reclassify(ids[1], "declined_card_payment", &resp).ok()) << "corrected twice";
  EXPECT_EQ(resp.category(), "declined_card_payment") << "unmapped: the intent itself";
  ASSERT_TRUE(reclassify(ids[2], "greeting", &resp).ok());
  EXPECT_EQ(state(ids[1]).classification().corrected_intent(), "declined_card_payment");

  // Bad input names the field; a role that is not an agent's is refused; nothing is recorded.
  auto bad = reclassify(ids[2], "not a label", &resp);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("intent"), std::string::npos) << bad.error_message();
  EXPECT_EQ(reclassify(ids[2], "x", &resp, "integrator").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reclassify(std::string(32, 'c'), "x", &resp).error_code(), grpc::StatusCode::NOT_FOUND);

  int code = 0;
  auto metrics =
      e2e::HttpGet(cluster.Replicas("classification")[0]->metrics_port, "/metrics", &code);
  EXPECT_NE(metrics.find("omniroute_classification_corrections_total{category=\"card_issue\","
                         "source=\"rule\",tenant=\"fbco\"} 3"),
            std::string::npos);
  EXPECT_NE(metrics.find("omniroute_classification_corrections_total{category=\"default\","
                         "source=\"default\",tenant=\"fbco\"} 1"),
            std::string::npos);

  std::string dir = testing::MakeTempDir("feedback");
  std::string csv = dir + "/corrections.csv";
  testing::Process cli(testing::BinDir() + "/omniroute-model",
                       {"corrections", "--tenant", "fbco", "--out", csv, "--redis-port",
                        std::to_string(cluster.redis().port())},
                       dir + "/cli.log");
  ASSERT_EQ(cli.Wait(10000), 0) << cli.ReadLog();
  std::printf("%s", cli.ReadLog().c_str());
  EXPECT_NE(cli.ReadLog().find("exported 3 corrections of tenant fbco"), std::string::npos);
  EXPECT_NE(cli.ReadLog().find("1 superseded by a later correction"), std::string::npos);
  auto rows = classification::model::ReadLabelledCsvFile(csv);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].text, "I was charged a fee for my card payment, why?");
  EXPECT_EQ((*rows)[0].label, "card_payment_fee_charged");
  EXPECT_EQ((*rows)[1].text, "my card, \"declined\" twice, at the shop") << "quoted round trip";
  EXPECT_EQ((*rows)[1].label, "declined_card_payment") << "its latest correction";
  EXPECT_EQ((*rows)[2].text, "hello");
  EXPECT_EQ((*rows)[2].label, "greeting");

  testing::Process by_category(testing::BinDir() + "/omniroute-model",
                               {"corrections", "--tenant", "fbco", "--out", csv, "--label",
                                "category", "--redis-port", std::to_string(cluster.redis().port())},
                               dir + "/cli2.log");
  ASSERT_EQ(by_category.Wait(10000), 0) << by_category.ReadLog();
  rows = classification::model::ReadLabelledCsvFile(csv);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].label, "fees");
  testing::Process usage(testing::BinDir() + "/omniroute-model",
                         {"corrections", "--tenant", "fbco", "--out", csv, "--label", "topic"},
                         dir + "/cli3.log");
  EXPECT_EQ(usage.Wait(10000), 2);
  EXPECT_NE(usage.ReadLog().find("--label: must be intent or category"), std::string::npos)
      << usage.ReadLog();
}

}  // namespace
}  // namespace omniroute
