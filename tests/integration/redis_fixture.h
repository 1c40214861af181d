// Shared fixture of the integration tests: a private redis-server per test binary, emptied
// before every test, with the intake store, classifier and routing engine wired to it and a
// FakeClock driving time. Tests call the domain classes directly (no gRPC).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "services/classification/classifier_worker.h"
#include "services/common/grpc/auth.h"
#include "services/common/ids.h"
#include "services/common/interaction_codec.h"
#include "services/common/keys.h"
#include "services/common/tenant_config.h"
#include "services/intake/intake_store.h"
#include "services/routing/routing_engine.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"

namespace omniroute {

// One stream or event entry: its id and its fields.
struct Entry {
  std::string id;
  std::map<std::string, std::string> fields;
  const std::string& operator[](const std::string& f) const {
    static const std::string kEmpty;
    auto it = fields.find(f);
    return it == fields.end() ? kEmpty : it->second;
  }
};

class RedisFixture : public ::testing::Test {
 protected:
  static constexpr char kTenant[] = "acme";

  static void SetUpTestSuite() {
    if (redis_ == nullptr) redis_ = new testing::RedisServer();
  }
  static void TearDownTestSuite() {
    delete redis_;
    redis_ = nullptr;
  }

  void SetUp() override {
    redis_->FlushAll();
    pool_ = std::make_unique<redis::Pool>(redis_->endpoint(), 8, std::chrono::milliseconds(5000));
    conn_ = redis_->Connect();
    // Blocking stream reads time out on Redis's cron tick: 100 Hz keeps Pump() quick.
    ASSERT_TRUE(conn_->Command({"CONFIG", "SET", "hz", "100"}).ok());
    // Registers the tenant, so the stream consumers find its streams.
    ASSERT_TRUE(CreateApiKey(*conn_, kTenant, {Role::kAdmin}, "fixture").ok());
    store_ = std::make_unique<intake::IntakeStore>(pool_.get(), &redis::Scripts::Embedded(),
                                                   &clock_, &ids_, intake::IntakeOptions{});
    engine_ = std::make_unique<routing::RoutingEngine>(pool_.get(), &redis::Scripts::Embedded(),
                                                       &clock_, routing_options_);
    configs_ = std::make_unique<classification::ConfigCache>(&clock_, 0);
    metrics_ = std::make_unique<classification::ClassificationMetrics>(registry_);
    worker_ = std::make_unique<classification::ClassifierWorker>(
        pool_.get(), &redis::Scripts::Embedded(), &clock_, configs_.get(), metrics_.get(), 1000);
  }

  // --- set-up helpers -------------------------------------------------------------------------

  static v1::Queue MakeQueue(const std::string& name, const std::vector<v1::Channel>& channels,
                             const std::map<std::string, int>& skills = {},
                             int offer_timeout_seconds = 20) {
    v1::Queue q;
    q.set_name(name);
    for (auto ch : channels) q.add_channels(ch);
    for (const auto& [skill, level] : skills) {
      auto* s = q.add_required_skills();
      s->set_name(skill);
      s->set_proficiency(level);
    }
    q.set_offer_timeout_seconds(offer_timeout_seconds);
    return QueueWithDefaults(q);
  }

  // Creates or replaces a queue the way the Admin service does (validated, defaults applied).
  void AddQueue(const std::string& name, const std::vector<v1::Channel>& channels,
                const std::map<std::string, int>& skills = {}, int offer_timeout_seconds = 20) {
    v1::Queue q = MakeQueue(name, channels, skills, offer_timeout_seconds);
    ASSERT_TRUE(ValidateQueue(q).ok()) << ValidateQueue(q);
    auto r = engine_->PutQueue(kTenant, q);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // Writes a tenant config the way the Admin service does (validated against the queues).
  void SetConfig(const v1::TenantConfig& config) {
    auto queues = engine_->ListQueues(kTenant);
    ASSERT_TRUE(queues.ok()) << queues.status();
    std::set<std::string> names;
    for (const auto& q : *queues) names.insert(q.name());
    auto st = ValidateTenantConfig(config, names);
    ASSERT_TRUE(st.ok()) << st;
    auto written = engine_->PutConfig(kTenant, config);
    ASSERT_TRUE(written.ok()) << written.status();
  }

  // A tenant config that sends every channel without a rule to `queue` (default head starts).
  void RouteAllTo(const std::string& queue) {
    v1::TenantConfig c;
    c.set_default_queue(queue);
    SetConfig(c);
  }

  static intake::Submission Chat(const std::string& subject, int priority = 0,
                                 const std::string& queue = "") {
    intake::Submission s;
    s.channel = v1::CHANNEL_CHAT;
    s.subject = subject;
    s.priority = priority;
    s.queue = queue;
    return s;
  }

  // Submits one interaction and returns its id ("" and a test failure when not stored).
  std::string Submit(const intake::Submission& s) {
    EXPECT_TRUE(intake::ValidateSubmission(s).ok()) << intake::ValidateSubmission(s);
    auto results = store_->Submit(kTenant, {&s});
    EXPECT_EQ(results.size(), 1u);
    if (results.size() != 1 || !results[0].ok()) {
      ADD_FAILURE() << "submit failed: " << (results.empty() ? "" : results[0].status().ToString());
      return "";
    }
    return results[0]->interaction_id;
  }

  // Submits and runs classification and routing until both streams are drained.
  std::string SubmitAndRoute(const intake::Submission& s) {
    std::string id = Submit(s);
    Pump();
    return id;
  }

  // Runs the classification and routing stream consumers until neither finds an entry.
  void Pump() {
    redis::StreamConsumer classify(pool_.get(), {"s:intake", kClassificationGroup, "c1", 1},
                                   [&](const auto& e) { return worker_->Handle(e); });
    redis::StreamConsumer route(pool_.get(), {"s:classified", kRoutingGroup, "r1", 1},
                                [&](const auto& e) {
                                  auto r = engine_->Enqueue(e);
                                  if (r.ok()) {
                                    for (const auto& x : *r) enqueue_outcomes_.push_back(x.outcome);
                                  }
                                  return r.status();
                                });
    for (int i = 0; i < 20; ++i) {
      auto a = classify.PollOnce(*conn_);
      ASSERT_TRUE(a.ok()) << a.status();
      auto b = route.PollOnce(*conn_);
      ASSERT_TRUE(b.ok()) << b.status();
      if (*a == 0 && *b == 0) return;
    }
    FAIL() << "streams did not drain";
  }

  absl::StatusOr<std::vector<std::string>> Login(const std::string& agent,
                                                 std::map<int, int> capacity,
                                                 std::map<std::string, int> skills = {}) {
    return engine_->SetAgentState(kTenant,
                                  {agent, "available", std::move(skills), std::move(capacity)});
  }

  // --- Redis inspection -----------------------------------------------------------------------

  redis::Reply Cmd(const std::vector<std::string>& argv) {
    auto r = conn_->Command(argv);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r.ok() && r->is_error()) << r->str;
    return r.ok() ? *r : redis::Reply{};
  }
  std::string HGet(const std::string& key, const std::string& field) {
    return Cmd({"HGET", key, field}).str;
  }
  int64_t Int(const std::vector<std::string>& argv) { return Cmd(argv).integer; }
  std::optional<double> ZScore(const std::string& key, const std::string& member) {
    redis::Reply r = Cmd({"ZSCORE", key, member});
    if (r.is_nil()) return std::nullopt;
    return std::stod(r.str);
  }
  std::vector<Entry> XRange(const std::string& key) {
    std::vector<Entry> out;
    for (const auto& e : Cmd({"XRANGE", key, "-", "+"}).elements) {
      Entry entry{e.elements[0].str, {}};
      const auto& f = e.elements[1].elements;
      for (size_t i = 0; i + 1 < f.size(); i += 2) entry.fields[f[i].str] = f[i + 1].str;
      out.push_back(std::move(entry));
    }
    return out;
  }
  // Keys matching a pattern, by SCAN (fine in a test; never on the service's hot path).
  std::vector<std::string> Scan(const std::string& pattern) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      redis::Reply r = Cmd({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      cursor = r.elements[0].str;
      for (const auto& k : r.elements[1].elements) keys.push_back(k.str);
    } while (cursor != "0");
    return keys;
  }
  // Event types of the tenant feed for one interaction, oldest first.
  std::vector<std::string> EventTypes(const std::string& id) {
    std::vector<std::string> types;
    for (const auto& e : XRange(keys_.Events())) {
      if (e["ix"] == id) types.push_back(e["type"]);
    }
    return types;
  }

  std::string State(const std::string& id) { return HGet(keys_.Interaction(id), "state"); }
  std::string OfferedTo(const std::string& id) { return HGet(keys_.Interaction(id), "agent"); }
  // The agent's load on a channel ("0" when it never held work there).
  std::string Load(const std::string& agent, int channel) {
    std::string load = HGet(keys_.Agent(agent), "load:" + std::to_string(channel));
    return load.empty() ? "0" : load;
  }

  static inline testing::RedisServer* redis_ = nullptr;
  testing::FakeClock clock_;
  RandomIdGenerator ids_;
  prometheus::Registry registry_;
  routing::RoutingOptions routing_options_;
  TenantKeys keys_{kTenant};
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<redis::Connection> conn_;
  std::unique_ptr<intake::IntakeStore> store_;
  std::unique_ptr<routing::RoutingEngine> engine_;
  std::unique_ptr<classification::ConfigCache> configs_;
  std::unique_ptr<classification::ClassificationMetrics> metrics_;
  std::unique_ptr<classification::ClassifierWorker> worker_;
  std::vector<std::string> enqueue_outcomes_;
};

}  // namespace omniroute
