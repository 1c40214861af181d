// A model per tenant, end to end: two tenants with models trained on disjoint sets of Banking77
// intents, published with `omniroute-model publish --tenant`, each classified by its own model
// (RPC and stream), a third tenant served by the global model; a publish, a rollback and an
// unpublish for one tenant change nothing for the others; a memory budget smaller than the
// models loads them on demand.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/trainer.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/tenant_models_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::IntentSet;
using sim::ApiClient;

const IntentSet kIntentsA = {"card_arrival", "lost_or_stolen_card", "exchange_rate",
                             "top_up_failed", "card_payment_fee_charged"};
const IntentSet kIntentsB = {"passcode_forgotten", "cash_withdrawal_charge", "change_pin",
                             "transfer_timing", "terminate_account"};

class TenantModelsE2E : public ::testing::Test {
 protected:
  void Start(testing::ClusterOptions options) {
    cluster_ = std::make_unique<testing::Cluster>(std::move(options));
    for (const char* t : {"bank_a", "bank_b", "bank_c"}) keys_[t] = cluster_->CreateTenant(t);
    dir_ = cluster_->dir();
  }
  // Classifies `text` as `tenant` on classification replica `replica`.
  v1::ClassifyResponse Classify(const std::string& tenant, const std::string& text,
                                int replica = 0) {
    ApiClient api(cluster_->endpoints(replica));
    v1::ClassifyRequest r;
    r.set_channel(v1::CHANNEL_CHAT);
    r.set_subject(text);
    v1::ClassifyResponse resp;
    auto st =
        api.classifier().Classify(ApiClient::Context(keys_[tenant]["integrator"]).get(), r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }
  // Until every classification replica serves `tenant` with model `version` (true), or 5 s.
  bool ServedBy(const std::string& tenant, const std::string& version) {
    int n = static_cast<int>(cluster_->Replicas("classification").size());
    for (int i = 0; i < n; ++i) {
      if (!e2e::WaitFor(
              [&] { return Classify(tenant, "hi", i).model().model_version() == version; },
              std::chrono::seconds(5), std::chrono::milliseconds(50))) {
        return false;
      }
    }
    return true;
  }
  e2e::CommandResult Model(std::vector<std::string> args) {
    args.insert(args.begin(), testing::BinDir() + "/omniroute-model");
    args.push_back("--redis-url=" + cluster_->redis_url());
    return e2e::RunCommand(args, {}, "", dir_, 120000);
  }
  // Publishes the model in `path` (for `tenant`, or the global one); returns its version.
  std::string Publish(const std::string& path, const std::string& tenant = "") {
    std::vector<std::string> args = {"publish", "--model", path};
    if (!tenant.empty()) args.insert(args.end(), {"--tenant", tenant});
    auto r = Model(args);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    // "published PATH as version V ..."
    auto at = r.out.find(" as version ");
    if (at == std::string::npos) return "";
    std::string rest = r.out.substr(at + 12);
    return rest.substr(0, rest.find(' '));
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::map<std::string, std::map<std::string, std::string>> keys_;
  std::string dir_;
};

TEST_F(TenantModelsE2E, EachTenantIsClassifiedByItsOwnModelAndAPublishForOneChangesNoOther) {
  testing::ClusterOptions options;
  options.classification_replicas = 2;
  Start(options);
  e2e::Banking77Subsets data({kIntentsA, kIntentsB});
  const std::string a1 = e2e::TrainModelFile(data.train(kIntentsA), dir_ + "/a1.model", 1);
  const std::string b1 = e2e::TrainModelFile(data.train(kIntentsB), dir_ + "/b1.model", 1);
  IntentSet all = kIntentsA;
  all.insert(kIntentsB.begin(), kIntentsB.end());
  const std::string g1 = e2e::TrainModelFile(data.train(all), dir_ + "/g1.model", 1);
  const std::string va = Publish(a1, "bank_a"), vb = Publish(b1, "bank_b"), vg = Publish(g1);
  ASSERT_FALSE(va.empty() || vb.empty() || vg.empty());
  ASSERT_TRUE(ServedBy("bank_a", va));
  ASSERT_TRUE(ServedBy("bank_b", vb));
  ASSERT_TRUE(ServedBy("bank_c", vg)) << "a tenant without a model of its own: the global one";
  EXPECT_EQ(Classify("bank_a", "x").model().model_tenant(), "bank_a");
  EXPECT_EQ(Classify("bank_c", "x").model().model_tenant(), "");

  // Every tenant's answers come from its own model's intents; each model knows its messages.
  for (const auto& [tenant, own] : std::vector<std::pair<std::string, IntentSet>>{
           {"bank_a", kIntentsA}, {"bank_b", kIntentsB}, {"bank_c", all}}) {
    for (const IntentSet& asked : {kIntentsA, kIntentsB}) {
      int right = 0, n = 0;
      for (const auto& e : data.held(asked)) {
        auto r = Classify(tenant, e.text, n % 2);
        const std::string& intent = r.model().top_intents(0).intent();
        EXPECT_TRUE(own.count(intent)) << tenant << " answered " << intent << " for " << e.text;
        right += intent == e.label ? 1 : 0;
        ++n;
      }
      const bool knows = std::includes(own.begin(), own.end(), asked.begin(), asked.end());
      std::printf("%s on %s messages: %d of %d right\n", tenant.c_str(),
                  asked == kIntentsA ? "A" : "B", right, n);
      if (knows) EXPECT_GE(right, n * 8 / 10) << tenant;
    }
  }

  // Out of scope: bank_a's model scores bank_b's intents (none of its own) as out of scope far
  // more often than its own messages, at the threshold it was calibrated with.
  int oos_foreign = 0, oos_own = 0, n_foreign = 0, n_own = 0;
  double threshold = 0;
  for (const auto& [asked, oos, n] : std::vector<std::tuple<IntentSet, int*, int*>>{
           {kIntentsB, &oos_foreign, &n_foreign}, {kIntentsA, &oos_own, &n_own}}) {
    for (const auto& e : data.held(asked)) {
      auto r = Classify("bank_a", e.text);
      threshold = r.model().out_of_scope_threshold();
      *oos += r.model().out_of_scope() ? 1 : 0;
      ++*n;
    }
  }
  std::printf(
      "bank_a out of scope at threshold %.4f: %d of %d of bank_b's messages, %d of %d of "
      "its own\n",
      threshold, oos_foreign, n_foreign, oos_own, n_own);
  EXPECT_GT(threshold, 0) << "the model carries a calibrated threshold";
  EXPECT_GE(oos_foreign, n_foreign / 5);
  EXPECT_LE(oos_own, n_own / 20);

  // The stream path (intake -> classification worker) uses the same models.
  ApiClient api(cluster_->endpoints());
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> submitted;
  for (const auto& e : data.held(kIntentsA)) {
    for (const char* t : {"bank_a", "bank_b"}) {
      submitted[t].emplace_back(e2e::SubmitChat(api, keys_[t]["integrator"], e.text), e.label);
    }
    if (submitted["bank_a"].size() >= 10) break;
  }
  for (const auto& [tenant, ids] : submitted) {
    int right = 0;
    for (const auto& [id, label] : ids) {
      v1::Interaction ix;
      ASSERT_TRUE(e2e::WaitFor(
          [&] {
            ix = e2e::GetInteraction(api, keys_[tenant]["integrator"], id);
            return !ix.classification().intent().empty();
          },
          std::chrono::seconds(10), std::chrono::milliseconds(20)));
      const IntentSet& own = tenant == "bank_a" ? kIntentsA : kIntentsB;
      EXPECT_TRUE(own.count(ix.classification().intent())) << ix.classification().intent();
      right += ix.classification().intent() == label ? 1 : 0;
    }
    std::printf("stream path, %s on A messages: %d of %zu right\n", tenant.c_str(), right,
                ids.size());
    if (tenant == "bank_a") EXPECT_GE(right, 8);
  }

  // A new model for bank_a: bank_b and bank_c answer exactly as before.
  auto snapshot = [&](const std::string& tenant) {
    std::vector<std::string> out;
    for (const auto& e : data.held(all)) {
      for (int replica : {0, 1}) {
        auto r = Classify(tenant, e.text, replica);
        out.push_back(r.model().model_version() + " " + r.model().top_intents(0).intent() + " " +
                      std::to_string(r.model().top_intents(0).probability()));
      }
      if (out.size() >= 40) break;
    }
    return out;
  };
  const auto b_before = snapshot("bank_b"), c_before = snapshot("bank_c");
  IntentSet a_more = kIntentsA;
  a_more.insert("terminate_account");
  const std::string a2 = e2e::TrainModelFile(data.train(a_more), dir_ + "/a2.model", 2);
  const std::string va2 = Publish(a2, "bank_a");
  ASSERT_NE(va2, va);
  auto published = e2e::Clock::now();
  ASSERT_TRUE(ServedBy("bank_a", va2));
  std::printf("bank_a's new model served by both replicas %.0f ms after its publish\n",
              e2e::SecondsSince(published) * 1000);
  EXPECT_EQ(snapshot("bank_b"), b_before);
  EXPECT_EQ(snapshot("bank_c"), c_before);

  // The kept versions; a rollback by version; an unpublish sends a tenant back to the global.
  auto models = Model({"models", "--tenant", "bank_a"});
  ASSERT_EQ(models.code, 0) << models.err;
  std::map<std::string, std::string> line_of;  // version -> its line
  for (auto line : absl::StrSplit(models.out, '\n', absl::SkipEmpty())) {
    line_of[std::string(line.substr(0, line.find(' ')))] = std::string(line);
  }
  ASSERT_EQ(line_of.size(), 2u) << models.out;
  EXPECT_TRUE(absl::EndsWith(line_of[va2], "(serving)")) << models.out;
  EXPECT_FALSE(absl::EndsWith(line_of[va], "(serving)")) << models.out;
  auto typo = Model({"publish", "--model", a1, "--tenant", "bank_x"});
  EXPECT_EQ(typo.code, 1);
  EXPECT_NE(typo.err.find("--tenant: no tenant 'bank_x'"), std::string::npos) << typo.err;
  auto bad = Model({"publish", "--tenant", "bank_a", "--version", "00000000-1"});
  EXPECT_EQ(bad.code, 2) << "a bad value of --version";
  EXPECT_NE(bad.err.find("no kept model version '00000000-1' (kept: "), std::string::npos)
      << bad.err;
  auto back = Model({"publish", "--tenant", "bank_a", "--version", va});
  ASSERT_EQ(back.code, 0) << back.err;
  ASSERT_TRUE(ServedBy("bank_a", va));
  // A version that does not load (written behind the tool's back) is refused and counted; the
  // tenant's resident model keeps serving.
  auto redis = cluster_->ConnectRedis();
  e2e::Cmd(*redis, {"SET", "{t:bank_a}:model:bad-1", "not a model"});
  e2e::Cmd(*redis, {"HSET", "omniroute:models", "bank_a", "bad-1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  for (int replica : {0, 1}) {
    EXPECT_EQ(Classify("bank_a", "x", replica).model().model_version(), va) << replica;
  }
  int code = 0;
  auto metrics =
      e2e::HttpGet(cluster_->Replicas("classification")[0]->metrics_port, "/metrics", &code);
  EXPECT_NE(metrics.find("omniroute_model_loads_total{outcome=\"rejected\"} 1"), std::string::npos);
  ASSERT_EQ(Model({"publish", "--tenant", "bank_a", "--version", va}).code, 0);
  ASSERT_EQ(Model({"unpublish", "--tenant", "bank_b"}).code, 0);
  ASSERT_TRUE(ServedBy("bank_b", vg));
  EXPECT_EQ(snapshot("bank_c"), c_before);
  EXPECT_EQ(Model({"unpublish", "--tenant", "bank_b"}).code, 1) << "nothing left to unpublish";
}

// Retraining from agents' corrections: the tenant's file lacks an intent its customers ask
// about; agents correct those interactions; `retrain` prints the serving and the new model's
// held-out accuracy and publishes the better one for that tenant; a retrain on mislabelled data
// (worse on purpose) is refused and changes nothing.
TEST_F(TenantModelsE2E, RetrainWithCorrectionsPublishesABetterModelAndRefusesAWorseOne) {
  Start({});
  IntentSet known = kIntentsA;
  known.erase("card_arrival");
  e2e::Banking77Subsets data({kIntentsA});
  const std::string csv = dir_ + "/bank_a.csv";
  e2e::WriteCsv(data.train(known), csv);
  const std::string v0 =
      Publish(e2e::TrainModelFile(data.train(known), dir_ + "/a0.model", 1), "bank_a");
  ASSERT_TRUE(ServedBy("bank_a", v0));
  ApiClient api(cluster_->endpoints());
  std::vector<std::string> ids;
  for (const auto& e : data.train({"card_arrival"})) {
    ids.push_back(e2e::SubmitChat(api, keys_["bank_a"]["integrator"], e.text));
  }
  for (const auto& id : ids) {
    ASSERT_TRUE(e2e::WaitFor(
        [&] {
          return !e2e::GetInteraction(api, keys_["bank_a"]["integrator"], id)
                      .classification()
                      .intent()
                      .empty();
        },
        std::chrono::seconds(10), std::chrono::milliseconds(20)));
    v1::ReclassifyRequest r;
    r.set_agent_id("ann");
    r.set_interaction_id(id);
    r.set_intent("card_arrival");
    v1::ReclassifyResponse resp;
    auto st =
        api.classifier().Reclassify(ApiClient::Context(keys_["bank_a"]["agent"]).get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  auto better = Model({"retrain", "--tenant", "bank_a", "--data", csv});
  std::printf("%s", better.out.c_str());
  ASSERT_EQ(better.code, 0) << better.out << better.err;
  EXPECT_NE(better.out.find(absl::StrCat(ids.size(), " in the log, ", ids.size(), " added")),
            std::string::npos);
  const double before = e2e::AccuracyAfter(better.out, "serving (tenant " + v0 + "): accuracy ");
  const double after = e2e::AccuracyAfter(better.out, "): accuracy ", /*last=*/true);
  EXPECT_GT(after, before + 0.03) << "the corrections teach card_arrival";
  auto at = better.out.find("published for tenant bank_a as version ");
  ASSERT_NE(at, std::string::npos);
  std::string v1 = better.out.substr(at + 39);
  v1 = v1.substr(0, v1.find('\n'));
  ASSERT_TRUE(ServedBy("bank_a", v1));
  EXPECT_EQ(Classify("bank_a", "my new card has still not arrived").model().top_intents(0).intent(),
            "card_arrival");

  // Worse on purpose: the same data, trained one epoch at a hundredth of the learning rate.
  auto worse =
      Model({"retrain", "--tenant", "bank_a", "--data", csv, "--epochs", "1", "--lr", "0.001"});
  std::printf("%s", worse.out.c_str());
  EXPECT_EQ(worse.code, 3) << worse.out << worse.err;
  EXPECT_NE(worse.out.find("not published: the new model is worse"), std::string::npos);
  EXPECT_LT(e2e::AccuracyAfter(worse.out, "): accuracy ", true),
            e2e::AccuracyAfter(worse.out, "serving (tenant " + v1 + "): accuracy "));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Classify("bank_a", "x").model().model_version(), v1) << "nothing was published";
  auto models = Model({"models", "--tenant", "bank_a"});
  EXPECT_EQ(std::count(models.out.begin(), models.out.end(), '\n'), 2) << models.out;
}

// On a Redis Cluster: the index is a global key and each model's bytes live in its tenant's
// slot; publish, serve, roll back and retrain work there too.
TEST_F(TenantModelsE2E, OnARedisClusterTenantModelsArePublishedServedAndRolledBack) {
  testing::ClusterOptions options;
  options.redis_cluster_masters = 3;
  Start(options);
  e2e::Banking77Subsets data({kIntentsA, kIntentsB});
  const std::string a = e2e::TrainModelFile(data.train(kIntentsA), dir_ + "/a.model", 1);
  const std::string va = Publish(a, "bank_a");
  const std::string vb =
      Publish(e2e::TrainModelFile(data.train(kIntentsB), dir_ + "/b.model", 1), "bank_b");
  ASSERT_TRUE(ServedBy("bank_a", va));
  ASSERT_TRUE(ServedBy("bank_b", vb));
  EXPECT_EQ(Classify("bank_c", "x").model().model_version(), "") << "no global model here";
  for (const auto& e : data.held(kIntentsB)) {
    EXPECT_TRUE(kIntentsB.count(Classify("bank_b", e.text).model().top_intents(0).intent()));
  }
  const std::string va2 =
      Publish(e2e::TrainModelFile(data.train(kIntentsA), dir_ + "/a2.model", 2), "bank_a");
  ASSERT_NE(va2, va);
  ASSERT_TRUE(ServedBy("bank_a", va2));
  ASSERT_EQ(Model({"publish", "--tenant", "bank_a", "--version", va}).code, 0);
  ASSERT_TRUE(ServedBy("bank_a", va));
  e2e::WriteCsv(data.train(kIntentsA), dir_ + "/a.csv");
  auto retrain = Model({"retrain", "--tenant", "bank_a", "--data", dir_ + "/a.csv", "--dry-run"});
  EXPECT_TRUE(retrain.code == 0 || retrain.code == 3) << retrain.out << retrain.err;
  EXPECT_NE(retrain.out.find("serving (tenant " + va + "): accuracy "), std::string::npos)
      << retrain.out;
}

// A replica whose budget holds no two tenant models loads each from Redis when its tenant needs
// it, evicting the least recently used: every answer still comes from the right model.
TEST_F(TenantModelsE2E, ABudgetSmallerThanTheModelsLoadsThemOnDemandAndEvictsTheOldest) {
  testing::ClusterOptions options;
  options.extra_classification_flags = {"--tenant-model-budget-mib=1"};
  Start(options);
  e2e::Banking77Subsets data({kIntentsA, kIntentsB});
  const std::string va =
      Publish(e2e::TrainModelFile(data.train(kIntentsA), dir_ + "/a.model", 1), "bank_a");
  const std::string vb =
      Publish(e2e::TrainModelFile(data.train(kIntentsB), dir_ + "/b.model", 1), "bank_b");
  ASSERT_TRUE(ServedBy("bank_a", va));
  ASSERT_TRUE(ServedBy("bank_b", vb));
  for (int round = 0; round < 3; ++round) {
    for (const auto& [tenant, version, own] :
         std::vector<std::tuple<std::string, std::string, IntentSet>>{{"bank_a", va, kIntentsA},
                                                                      {"bank_b", vb, kIntentsB}}) {
      auto r = Classify(tenant, data.held(own).front().text);
      EXPECT_EQ(r.model().model_version(), version) << tenant << " round " << round;
      EXPECT_EQ(r.model().model_tenant(), tenant);
      EXPECT_TRUE(own.count(r.model().top_intents(0).intent()))
          << r.model().top_intents(0).intent();
    }
  }
  int code = 0;
  auto metrics =
      e2e::HttpGet(cluster_->Replicas("classification")[0]->metrics_port, "/metrics", &code);
  EXPECT_NE(metrics.find("omniroute_tenant_models_resident 1\n"), std::string::npos) << metrics;
  auto at = metrics.find("\nomniroute_tenant_model_evictions_total ");
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::atof(metrics.c_str() + at + 40), 5) << "each switch of tenant evicts the other";
}

}  // namespace
}  // namespace omniroute
