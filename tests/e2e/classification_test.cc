// Classification across replicas: a tenant config update reaches every classification replica
// within 1 s and an invalid one changes nothing; an intent model published to Redis is served
// by every replica without a restart, and a corrupt one is rejected while the previous model
// keeps serving.
#include <gtest/gtest.h>

#include <thread>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/tiny_model.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::Clock;
using e2e::Cmd;
using sim::ApiClient;

class ClassificationE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::ClusterOptions options;
    options.replicas = 2;
    cluster_ = std::make_unique<testing::Cluster>(options);
    keys_ = cluster_->CreateTenant("clsco");
    for (int i = 0; i < 2; ++i)
      apis_.push_back(std::make_unique<ApiClient>(cluster_->endpoints(i)));
    ASSERT_NE(cluster_->endpoints(0).classification, cluster_->endpoints(1).classification);
    for (const char* q : {"chat", "cards", "triage"}) {
      auto st = e2e::PutQueue(*apis_[0], keys_["admin"], q, {v1::CHANNEL_CHAT});
      ASSERT_TRUE(st.ok()) << st.error_message();
    }
  }

  grpc::Status PutConfig(const v1::TenantConfig& c) {
    v1::PutTenantConfigRequest req;
    *req.mutable_config() = c;
    v1::PutTenantConfigResponse resp;
    return apis_[0]->admin().PutTenantConfig(ApiClient::Context(keys_["admin"]).get(), req, &resp);
  }

  static v1::TenantConfig Rule(const std::string& category) {
    v1::TenantConfig c;
    (*c.mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = "chat";
    auto* r = c.add_rules();
    r->set_name("alpha");
    r->add_keywords("alpha");
    r->set_category(category);
    return c;
  }

  v1::ClassifyResponse Classify(int replica, const std::string& text) {
    v1::ClassifyRequest req;
    req.set_channel(v1::CHANNEL_CHAT);
    req.set_subject(text);
    v1::ClassifyResponse resp;
    auto st = apis_[replica]->classifier().Classify(ApiClient::Context(keys_["integrator"]).get(),
                                                    req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  // Polls both replicas every 10 ms until `done` holds for each; the time each took (ms), or
  // -1 when it did not within `limit`.
  std::vector<double> UntilBoth(const std::function<bool(const v1::ClassifyResponse&)>& done,
                                std::chrono::milliseconds limit) {
    auto start = Clock::now();
    std::vector<double> took = {-1, -1};
    while (Clock::now() - start < limit && (took[0] < 0 || took[1] < 0)) {
      for (int i = 0; i < 2; ++i) {
        if (took[i] < 0 && done(Classify(i, "alpha question about my card"))) {
          took[i] = e2e::SecondsSince(start) * 1000;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return took;
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::map<std::string, std::string> keys_;
  std::vector<std::unique_ptr<ApiClient>> apis_;
};

TEST_F(ClassificationE2E, ARulesUpdateReachesBothReplicasWithinOneSecondAndABadOneChangesNothing) {
  ASSERT_TRUE(PutConfig(Rule("one")).ok());
  auto warm = UntilBoth([](const auto& r) { return r.classification().category() == "one"; },
                        std::chrono::seconds(5));
  ASSERT_GE(warm[0], 0);
  ASSERT_GE(warm[1], 0);
  ASSERT_TRUE(PutConfig(Rule("two")).ok());
  auto took = UntilBoth([](const auto& r) { return r.classification().category() == "two"; },
                        std::chrono::seconds(3));
  std::printf("rules update: replica 0 after %.0f ms, replica 1 after %.0f ms\n", took[0], took[1]);
  EXPECT_GE(took[0], 0);
  EXPECT_GE(took[1], 0);
  EXPECT_LE(took[0], 1000) << "a new rules version must reach every replica within 1 s";
  EXPECT_LE(took[1], 1000);
  int64_t version = Classify(0, "alpha").config_version();

  // A rule whose pattern does not compile is refused; both replicas keep the last version.
  v1::TenantConfig bad = Rule("three");
  bad.mutable_rules(0)->add_patterns("card(");
  auto st = PutConfig(bad);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("config.rules[0].patterns[0]"), std::string::npos)
      << st.error_message();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  for (int i = 0; i < 2; ++i) {
    auto r = Classify(i, "alpha");
    EXPECT_EQ(r.classification().category(), "two") << "replica " << i;
    EXPECT_EQ(r.config_version(), version) << "replica " << i;
  }
}

TEST_F(ClassificationE2E, APublishedModelServesEveryReplicaAndACorruptOneIsRejected) {
  auto model = e2e::TinyCardModelBytes();
  ASSERT_TRUE(model.ok()) << model.status();
  v1::TenantConfig c = Rule("one");
  auto* m = c.add_intents();
  m->set_intent("card_arrival");
  m->set_queue("cards");
  c.set_min_confidence(0.3);
  ASSERT_TRUE(PutConfig(c).ok());
  auto redis = cluster_->redis().Connect();
  Cmd(*redis, {"HSET", "omniroute:model", "version", "v1", "bytes", *model});
  auto took = UntilBoth([](const auto& r) { return r.model().model_version() == "v1"; },
                        std::chrono::seconds(5));
  std::printf("published model: replica 0 after %.0f ms, replica 1 after %.0f ms\n", took[0],
              took[1]);
  ASSERT_GE(took[0], 0);
  ASSERT_GE(took[1], 0);
  v1::ClassifyRequest req;
  req.set_channel(v1::CHANNEL_CHAT);
  req.set_subject("my new card has not arrived yet");
  v1::ClassifyResponse resp;
  ASSERT_TRUE(apis_[1]
                  ->classifier()
                  .Classify(ApiClient::Context(keys_["integrator"]).get(), req, &resp)
                  .ok());
  EXPECT_EQ(resp.classification().intent(), "card_arrival");
  EXPECT_EQ(resp.classification().source(), "model");
  EXPECT_EQ(resp.classification().queue(), "cards");
  EXPECT_FALSE(resp.model().top_features().empty());
  EXPECT_EQ(resp.model().top_intents(0).intent(), "card_arrival");

  // Corrupt bytes under a new version: rejected, v1 keeps serving on both replicas.
  std::string corrupt = *model;
  corrupt[corrupt.size() / 2] ^= 0x5a;
  Cmd(*redis, {"HSET", "omniroute:model", "version", "v2", "bytes", corrupt});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Classify(i, "card").model().model_version(), "v1") << "replica " << i;
  }
  int code = 0;
  auto metrics =
      e2e::HttpGet(cluster_->Replicas("classification")[0]->metrics_port, "/metrics", &code);
  EXPECT_NE(metrics.find("omniroute_model_loads_total{outcome=\"rejected\"} 1"), std::string::npos)
      << metrics.substr(0, 2000);
}

}  // namespace
}  // namespace omniroute

namespace omniroute {
namespace {

// Customer value: a high-value customer's billing email near its renewal is offered ahead of
// earlier standard ones (bounded boost; see README "Customer value").
TEST(CustomerValueE2E, AHighValueBillingEmailNearRenewalIsOfferedAheadOfEarlierStandardOnes) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("valco");
  ApiClient api(cluster.endpoints());
  ASSERT_TRUE(e2e::PutQueue(api, keys["admin"], "billing", {v1::CHANNEL_EMAIL}).ok());
  auto upsert = [&](const std::string& id, double value, double risk, int64_t renewal_ms,
                    double* boost) {
    v1::UpsertCustomerRequest req;
    auto* c = req.mutable_customer();
    c->set_customer_id(id);
    c->set_tier(value > 0 ? "gold" : "standard");
    c->set_annual_value(value);
    c->set_churn_risk(risk);
    c->set_renewal_date_ms(renewal_ms);
    v1::UpsertCustomerResponse resp;
    auto st = api.intake().UpsertCustomer(ApiClient::Context(keys["integrator"]).get(), req, &resp);
    *boost = resp.value_boost_seconds();
    return st;
  };
  int64_t in_ten_days = e2e::WallMs() + 10LL * 86400 * 1000;
  double vip_boost = 0, std_boost = 0;
  ASSERT_TRUE(upsert("vip", 250000, 0.3, in_ten_days, &vip_boost).ok());
  ASSERT_TRUE(upsert("std", 0, 0, 0, &std_boost).ok());
  // 250,000 x min(1, 0.3 + 0.5) = 200,000 at risk: 10 x log10(2,000) = 33 s.
  EXPECT_NEAR(vip_boost, 33.0, 0.1);
  EXPECT_EQ(std_boost, 0);
  // Invalid input names the field and stores nothing.
  double ignored = 0;
  auto bad = upsert("bad", 1, 1.5, 0, &ignored);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("customer.churn_risk"), std::string::npos);

  auto submit = [&](const std::string& customer, const std::string& subject) {
    v1::SubmitInteractionRequest req;
    req.set_channel(v1::CHANNEL_EMAIL);
    req.set_customer_id(customer);
    req.set_subject(subject);
    req.set_queue("billing");
    v1::SubmitInteractionResponse resp;
    auto st =
        api.intake().SubmitInteraction(ApiClient::Context(keys["integrator"]).get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.interaction_id();
  };
  auto state = [&](const std::string& id) {
    return e2e::GetInteraction(api, keys["integrator"], id).state();
  };
  std::vector<std::string> standard;
  for (int i = 0; i < 3; ++i) standard.push_back(submit("std", "invoice question"));
  std::string vip = submit("vip", "invoice question before renewal");
  for (const auto& id : standard) {
    ASSERT_TRUE(e2e::WaitFor([&] { return state(id) == v1::INTERACTION_STATE_QUEUED; },
                             std::chrono::seconds(5), std::chrono::milliseconds(20)));
  }
  ASSERT_TRUE(e2e::WaitFor([&] { return state(vip) == v1::INTERACTION_STATE_QUEUED; },
                           std::chrono::seconds(5), std::chrono::milliseconds(20)));
  // One agent with one email slot logs in: the VIP email is offered first.
  v1::SetAgentStateRequest login;
  login.set_agent_id("ann");
  login.set_state(v1::AGENT_STATE_AVAILABLE);
  auto* cap = login.add_capacities();
  cap->set_channel(v1::CHANNEL_EMAIL);
  cap->set_max(1);
  v1::SetAgentStateResponse lr;
  ASSERT_TRUE(
      api.routing().SetAgentState(ApiClient::Context(keys["agent"]).get(), login, &lr).ok());
  EXPECT_EQ(state(vip), v1::INTERACTION_STATE_OFFERED);
  for (const auto& id : standard) EXPECT_EQ(state(id), v1::INTERACTION_STATE_QUEUED);
}

}  // namespace
}  // namespace omniroute

namespace omniroute {
namespace {

// Conversation continuity: a customer's chat, then its call, form one conversation and reach
// the same agent (the customer's last), who is free, though another agent idles longer.
TEST(ContinuityE2E, AChatThenACallFromOneCustomerReachTheSameAgentInOneConversation) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("contco");
  ApiClient api(cluster.endpoints());
  ASSERT_TRUE(
      e2e::PutQueue(api, keys["admin"], "support", {v1::CHANNEL_CHAT, v1::CHANNEL_VOICE}).ok());
  auto login = [&](const std::string& agent) {
    v1::SetAgentStateRequest r;
    r.set_agent_id(agent);
    r.set_state(v1::AGENT_STATE_AVAILABLE);
    for (auto ch : {v1::CHANNEL_CHAT, v1::CHANNEL_VOICE}) {
      auto* c = r.add_capacities();
      c->set_channel(ch);
      c->set_max(1);
    }
    v1::SetAgentStateResponse resp;
    return api.routing().SetAgentState(ApiClient::Context(keys["agent"]).get(), r, &resp).ok();
  };
  auto submit = [&](v1::Channel ch, const std::string& customer) {
    v1::SubmitInteractionRequest r;
    r.set_channel(ch);
    r.set_customer_id(customer);
    r.set_subject("about my order");
    r.set_queue("support");
    v1::SubmitInteractionResponse resp;
    EXPECT_TRUE(api.intake()
                    .SubmitInteraction(ApiClient::Context(keys["integrator"]).get(), r, &resp)
                    .ok());
    return resp.interaction_id();
  };
  auto get = [&](const std::string& id) {
    return e2e::GetInteraction(api, keys["integrator"], id);
  };
  auto call = [&](const char* what, const std::string& agent, const std::string& id) {
    grpc::Status st;
    if (std::string(what) == "accept") {
      v1::AcceptOfferRequest r;
      r.set_agent_id(agent);
      r.set_interaction_id(id);
      v1::AcceptOfferResponse resp;
      st = api.routing().AcceptOffer(ApiClient::Context(keys["agent"]).get(), r, &resp);
    } else {
      v1::CompleteInteractionRequest r;
      r.set_agent_id(agent);
      r.set_interaction_id(id);
      v1::CompleteInteractionResponse resp;
      st = api.routing().CompleteInteraction(ApiClient::Context(keys["agent"]).get(), r, &resp);
    }
    return st.ok();
  };
  auto offered_to = [&](const std::string& id, std::string* agent) {
    return e2e::WaitFor(
        [&] {
          auto ix = get(id);
          *agent = ix.agent_id();
          return ix.state() == v1::INTERACTION_STATE_OFFERED;
        },
        std::chrono::seconds(5), std::chrono::milliseconds(20));
  };
  ASSERT_TRUE(login("ann"));
  std::string chat = submit(v1::CHANNEL_CHAT, "cust-7");
  std::string agent;
  ASSERT_TRUE(offered_to(chat, &agent));
  ASSERT_EQ(agent, "ann");
  ASSERT_TRUE(call("accept", "ann", chat));
  // Meanwhile bob serves another customer's call and is free again before ann finishes the
  // chat: bob is then the longest idle, so without continuity the next call would be his.
  ASSERT_TRUE(login("bob"));
  std::string other = submit(v1::CHANNEL_VOICE, "cust-8");
  ASSERT_TRUE(offered_to(other, &agent));
  EXPECT_EQ(agent, "bob");
  ASSERT_TRUE(call("accept", "bob", other));
  ASSERT_TRUE(call("complete", "bob", other));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(call("complete", "ann", chat));
  std::string voice = submit(v1::CHANNEL_VOICE, "cust-7");
  ASSERT_TRUE(offered_to(voice, &agent));
  EXPECT_EQ(agent, "ann") << "the customer's agent from the chat gets the call";
  EXPECT_FALSE(get(chat).conversation_id().empty());
  EXPECT_EQ(get(voice).conversation_id(), get(chat).conversation_id());
  EXPECT_NE(get(other).conversation_id(), get(chat).conversation_id());
}

}  // namespace
}  // namespace omniroute
