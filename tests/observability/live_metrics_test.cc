// The dashboards and rules under deploy/ against the real services: a workload that goes through
// every metric path it can (submissions good and bad, rules and model classification, a model
// publish, offers rejected and accepted, completion with wrap-up, self-service deflected and
// escalated, a correction, a cancel while waiting, webhooks delivered and dead-lettered by a
// webhook worker), then each replica's /metrics must pass
// `promtool check metrics` and deploy/check-observability.py must find every metric name the
// dashboards and rules use.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/tiny_model.h"
#include "tests/support/cluster.h"
#include "tests/support/webhook_receiver.h"

namespace omniroute {
namespace {

using sim::ApiClient;
using std::chrono::milliseconds;
using std::chrono::seconds;

class LiveMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::ClusterOptions options;
    options.extra_routing_flags = {"--skip-ms=300"};  // a declined item comes back quickly
    options.webhooks_replicas = 1;
    options.extra_webhooks_flags = {"--allow-loopback",        "--max-attempts=2",
                                    "--backoff-base-ms=10",    "--backoff-cap-ms=50",
                                    "--gauge-interval-ms=200", "--poll-ms=20"};
    cluster_ = std::make_unique<testing::Cluster>(options);
    keys_ = cluster_->CreateTenant("obs");
    api_ = std::make_unique<ApiClient>(cluster_->endpoints());
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& role) {
    return ApiClient::Context(keys_[role]);
  }
  v1::Interaction Get(const std::string& id) {
    return e2e::GetInteraction(*api_, keys_["integrator"], id);
  }
  bool WaitState(const std::string& id, v1::InteractionState state) {
    return e2e::WaitFor([&] { return Get(id).state() == state; }, seconds(5), milliseconds(20));
  }
  std::string Submit(v1::Channel channel, const std::string& subject) {
    v1::SubmitInteractionRequest r;
    r.set_channel(channel);
    r.set_subject(subject);
    v1::SubmitInteractionResponse resp;
    auto st = api_->intake().SubmitInteraction(Ctx("integrator").get(), r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.interaction_id();
  }
  void Login(const std::string& agent, const std::string& skill, int max) {
    v1::SetAgentStateRequest r;
    r.set_agent_id(agent);
    r.set_state(v1::AGENT_STATE_AVAILABLE);
    auto* c = r.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(max);
    if (!skill.empty()) {
      auto* s = r.add_skills();
      s->set_name(skill);
      s->set_proficiency(1);
    }
    v1::SetAgentStateResponse resp;
    auto st = api_->routing().SetAgentState(Ctx("agent").get(), r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }
  void AcceptAndComplete(const std::string& agent, const std::string& id) {
    v1::AcceptOfferRequest a;
    a.set_agent_id(agent);
    a.set_interaction_id(id);
    v1::AcceptOfferResponse ar;
    auto st = api_->routing().AcceptOffer(Ctx("agent").get(), a, &ar);
    EXPECT_TRUE(st.ok()) << st.error_message();
    v1::CompleteInteractionRequest c;
    c.set_agent_id(agent);
    c.set_interaction_id(id);
    v1::CompleteInteractionResponse cr;
    st = api_->routing().CompleteInteraction(Ctx("agent").get(), c, &cr);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }

  // Queues support (SLA 1 s, 1 s wrap-up), bot (self-service, skill "bot") and email (nobody
  // serves it); a rule sends "password" chats to the bot first; a published model maps
  // card_arrival.
  void SetUpTenant() {
    auto put_queue = [&](const std::string& name, v1::Channel channel, const std::string& skill) {
      v1::PutQueueRequest r;
      auto* q = r.mutable_queue();
      q->set_name(name);
      q->add_channels(channel);
      q->set_sla_threshold_seconds(1);
      q->set_sla_target_percent(80);
      q->set_wrap_up_seconds(1);
      if (!skill.empty()) {
        auto* s = q->add_required_skills();
        s->set_name(skill);
        s->set_proficiency(1);
      }
      v1::PutQueueResponse resp;
      auto st = api_->admin().PutQueue(Ctx("admin").get(), r, &resp);
      ASSERT_TRUE(st.ok()) << name << ": " << st.error_message();
    };
    put_queue("support", v1::CHANNEL_CHAT, "");
    put_queue("bot", v1::CHANNEL_CHAT, "bot");
    put_queue("email", v1::CHANNEL_EMAIL, "");
    if (HasFatalFailure()) return;
    v1::TenantConfig config;
    config.set_default_queue("support");
    (*config.mutable_default_queue_by_channel())[static_cast<int>(v1::CHANNEL_EMAIL)] = "email";
    config.set_self_service_queue("bot");
    config.set_min_confidence(0.3);
    auto* rule = config.add_rules();
    rule->set_name("password");
    rule->add_keywords("password");
    rule->set_category("account_access");
    rule->set_queue("support");
    rule->set_self_service(true);
    auto* mapping = config.add_intents();
    mapping->set_intent("card_arrival");
    mapping->set_category("cards");
    auto st = e2e::PutConfig(*api_, keys_["admin"], config);
    ASSERT_TRUE(st.ok()) << st.error_message();

    auto redis = cluster_->redis().Connect();
    auto model = e2e::TinyCardModelBytes();
    ASSERT_TRUE(model.ok()) << model.status();
    e2e::Cmd(*redis, {"HSET", "omniroute:model", "version", "obs-v1", "bytes", *model});
    ASSERT_TRUE(e2e::WaitFor(
        [&] {
          v1::ClassifyRequest r;
          r.set_channel(v1::CHANNEL_CHAT);
          r.set_subject("where is my card");
          v1::ClassifyResponse resp;
          return api_->classifier().Classify(Ctx("integrator").get(), r, &resp).ok() &&
                 resp.model().model_version() == "obs-v1";
        },
        seconds(5), milliseconds(50)))
        << "the classification replica did not load the published model";
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<ApiClient> api_;
};

TEST_F(LiveMetricsTest, DashboardsAndRulesUseOnlyExportedMetrics) {
  SetUpTenant();
  if (HasFatalFailure()) return;
  // Webhooks: one receiver takes every event, one refuses the "queued" ones (dead letters).
  testing::WebhookReceiver taking;
  testing::WebhookReceiver refusing(
      [](const auto&, int) { return testing::WebhookReceiver::Answer{500}; });
  for (const auto& [url, type] :
       {std::pair{taking.url(), std::string()}, std::pair{refusing.url(), std::string("queued")}}) {
    v1::PutWebhookRequest r;
    r.mutable_webhook()->set_url(url);
    if (!type.empty()) r.mutable_webhook()->add_event_types(type);
    v1::PutWebhookResponse resp;
    auto st = api_->admin().PutWebhook(Ctx("admin").get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  {  // An invalid submission (no channel, no subject).
    v1::SubmitInteractionRequest bad;
    v1::SubmitInteractionResponse resp;
    EXPECT_FALSE(api_->intake().SubmitInteraction(Ctx("integrator").get(), bad, &resp).ok());
  }
  // Abandoned: an email waits (nobody serves the queue) and the customer hangs up.
  std::string email = Submit(v1::CHANNEL_EMAIL, "hello, anyone there?");
  ASSERT_TRUE(WaitState(email, v1::INTERACTION_STATE_QUEUED)) << Get(email).DebugString();
  {
    v1::CancelInteractionRequest r;
    r.set_interaction_id(email);
    v1::CancelInteractionResponse resp;
    auto st = api_->intake().CancelInteraction(Ctx("integrator").get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.state(), v1::INTERACTION_STATE_CANCELED);
  }
  // Classified by the model, and by the self-service rule; the latter waits in the bot queue
  // (no bot yet) until the integrator escalates it to the human queue.
  std::string card = Submit(v1::CHANNEL_CHAT, "my new card has not arrived yet");
  std::string escalated = Submit(v1::CHANNEL_CHAT, "I cannot reset my password");
  ASSERT_TRUE(WaitState(escalated, v1::INTERACTION_STATE_QUEUED));
  {
    v1::EscalateInteractionRequest r;
    r.set_interaction_id(escalated);
    r.set_reason("customer asked for a human");
    v1::EscalateInteractionResponse resp;
    auto st = api_->routing().EscalateInteraction(Ctx("integrator").get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.queue(), "support");
  }

  // Ann (one chat at a time) declines the first offer she gets, then accepts and completes
  // both; each completion holds her slot for the 1 s wrap-up.
  Login("ann", "", 1);
  std::set<std::string> open = {card, escalated};
  bool declined = false;
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        for (auto it = open.begin(); it != open.end(); ++it) {
          auto ix = Get(*it);
          if (ix.state() != v1::INTERACTION_STATE_OFFERED || ix.agent_id() != "ann") continue;
          if (!declined) {
            v1::RejectOfferRequest r;
            r.set_agent_id("ann");
            r.set_interaction_id(*it);
            v1::RejectOfferResponse resp;
            EXPECT_TRUE(api_->routing().RejectOffer(Ctx("agent").get(), r, &resp).ok());
            declined = true;
          } else {
            AcceptAndComplete("ann", *it);
            open.erase(it);
          }
          break;
        }
        return open.empty();
      },
      seconds(15), milliseconds(20)))
      << open.size() << " interactions not handled by ann";

  // Deflected: a bot takes a password chat and resolves it.
  Login("bot-1", "bot", 5);
  std::string deflected = Submit(v1::CHANNEL_CHAT, "how do I change my password");
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        auto ix = Get(deflected);
        return ix.state() == v1::INTERACTION_STATE_OFFERED && ix.agent_id() == "bot-1";
      },
      seconds(5), milliseconds(20)))
      << Get(deflected).DebugString();
  AcceptAndComplete("bot-1", deflected);

  {  // Ann corrects the model's classification.
    v1::ReclassifyRequest r;
    r.set_agent_id("ann");
    r.set_interaction_id(card);
    r.set_intent("card_delivery_estimate");
    v1::ReclassifyResponse resp;
    auto st = api_->classifier().Reclassify(Ctx("agent").get(), r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }

  // The webhook worker has delivered, failed, dead-lettered and read its gauges.
  auto webhooks = cluster_->Replicas("webhooks");
  ASSERT_EQ(webhooks.size(), 1u);
  EXPECT_TRUE(e2e::WaitFor(
      [&] {
        int status = 0;
        std::string body = e2e::HttpGet(webhooks[0]->metrics_port, "/metrics", &status);
        for (const char* name :
             {"\nomniroute_webhook_deliveries_total{result=\"delivered\"",
              "\nomniroute_webhook_deliveries_total{result=\"dead_lettered\"",
              "\nomniroute_webhook_attempt_failures_total{", "\nomniroute_webhook_backlog{",
              "\nomniroute_webhook_dead_letters{",
              "\nomniroute_webhook_delivery_lag_seconds_bucket{"}) {
          if (body.find(name) == std::string::npos) return false;
        }
        return true;
      },
      seconds(20), milliseconds(250)))
      << "the webhook worker did not export its metrics; receivers got " << taking.count()
      << " and " << refusing.count() << " requests";

  // Shared gauges are refreshed in the background: wait (bounded) until routing shows them.
  auto routing = cluster_->Replicas("routing");
  ASSERT_FALSE(routing.empty());
  int code = 0;
  EXPECT_TRUE(e2e::WaitFor(
      [&] {
        std::string body = e2e::HttpGet(routing[0]->metrics_port, "/metrics", &code);
        if (code != 200) return false;
        for (const char* name : {"\nomniroute_queue_available_agents{", "\nomniroute_agents{",
                                 "\nomniroute_queue_estimated_wait_seconds{",
                                 "\nomniroute_queue_estimated_wait_low_seconds{",
                                 "\nomniroute_queue_estimated_wait_high_seconds{"}) {
          if (body.find(name) == std::string::npos) return false;
        }
        return true;
      },
      seconds(15), milliseconds(250)));

  std::string files;
  for (auto& replica : cluster_->replicas()) {
    std::string name = replica.service + "-" + std::to_string(replica.metrics_port);
    std::string body = e2e::HttpGet(replica.metrics_port, "/metrics", &code);
    ASSERT_EQ(code, 200) << name;
    std::string out;
    int rc = e2e::RunWithInput("/usr/bin/promtool check metrics", body,
                               cluster_->dir() + "/promtool-input-" + name + ".txt", &out);
    EXPECT_EQ(rc, 0) << name << ": " << out;
    EXPECT_EQ(out, "") << name;
    std::string path = cluster_->dir() + "/metrics-" + name + ".prom";
    std::ofstream file(path);
    file << body;
    file.close();
    ASSERT_TRUE(file) << "cannot write " << path;
    files += " '" + path + "'";
  }

  std::string out;
  int rc = e2e::RunWithInput(std::string("python3 '") + OMNIROUTE_CHECKER +
                                 "' --promtool /usr/bin/promtool --metrics" + files,
                             "", cluster_->dir() + "/checker-stdin.txt", &out);
  std::printf("%s", out.c_str());
  EXPECT_EQ(rc, 0) << "check-observability.py found problems (its output is above)";
}

}  // namespace
}  // namespace omniroute
