// The public API of the real service processes: idempotent intake over gRPC (also under
// concurrency across intake replicas), invalid requests that must be refused with the field
// named and leave Redis byte-for-byte unchanged, and authentication / tenant isolation.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::Cmd;
using e2e::CmdInt;
using e2e::Prefix;
using sim::ApiClient;

v1::SubmitInteractionRequest ChatRequest(const std::string& key, const std::string& subject) {
  v1::SubmitInteractionRequest r;
  r.set_channel(v1::CHANNEL_CHAT);
  r.set_customer_id("cust-1");
  r.set_subject(subject);
  r.set_body("Hello, I need help.");
  (*r.mutable_attributes())["ivr_choice"] = "cards";
  if (!key.empty()) r.set_idempotency_key(key);
  return r;
}

grpc::Status Submit(ApiClient& api, const std::string& key, const v1::SubmitInteractionRequest& r,
                    v1::SubmitInteractionResponse* resp) {
  return api.intake().SubmitInteraction(ApiClient::Context(key).get(), r, resp);
}

v1::InteractionState StateOf(ApiClient& api, const std::string& key, const std::string& id) {
  v1::GetInteractionRequest g;
  g.set_interaction_id(id);
  v1::GetInteractionResponse gr;
  if (!api.intake().GetInteraction(ApiClient::Context(key).get(), g, &gr).ok()) {
    return v1::INTERACTION_STATE_UNSPECIFIED;
  }
  return gr.interaction().state();
}

int CountEvents(redis::Connection& c, const std::string& tenant, const std::string& type,
                const std::string& id) {
  int n = 0;
  for (const auto& e : e2e::ReadFeedFromRedis(c, tenant)) {
    if (e.type == type && e.ix == id) ++n;
  }
  return n;
}

// ---- Idempotency ------------------------------------------------------------------------

TEST(IdempotencyE2E, SameKeyYieldsSameInteractionStoredOnceEvenUnderConcurrency) {
  testing::ClusterOptions options;
  options.replicas = 2;
  testing::Cluster cluster(options);
  ApiClient api0(cluster.endpoints(0)), api1(cluster.endpoints(1));
  ASSERT_NE(cluster.endpoints(0).intake, cluster.endpoints(1).intake);
  auto redis = cluster.redis().Connect();

  // 1. Sequential retry through the other replica: same id, created true then false.
  auto keys = cluster.CreateTenant("idem");
  e2e::SetUpVoiceChatEmail(api0, keys["admin"], 0);
  if (HasFatalFailure()) return;
  v1::SubmitInteractionResponse first, second;
  ASSERT_TRUE(Submit(api0, keys["integrator"], ChatRequest("order-1", "Card lost"), &first).ok());
  auto st = Submit(api1, keys["integrator"], ChatRequest("order-1", "Card lost"), &second);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(first.created());
  EXPECT_FALSE(second.created());
  EXPECT_EQ(first.interaction_id(), second.interaction_id());
  // The batch call honours the same key; the same key twice in one batch is stored once.
  v1::SubmitInteractionsRequest batch;
  *batch.add_interactions() = ChatRequest("order-1", "Card lost");
  *batch.add_interactions() = ChatRequest("order-1b", "Card found");
  *batch.add_interactions() = ChatRequest("order-1b", "Card found");
  v1::SubmitInteractionsResponse bresp;
  ASSERT_TRUE(api1.intake()
                  .SubmitInteractions(ApiClient::Context(keys["integrator"]).get(), batch, &bresp)
                  .ok());
  ASSERT_EQ(bresp.results_size(), 3);
  for (const auto& r : bresp.results()) EXPECT_EQ(r.code(), 0) << r.message();
  EXPECT_EQ(bresp.results(0).interaction_id(), first.interaction_id());
  EXPECT_FALSE(bresp.results(0).created());
  EXPECT_TRUE(bresp.results(1).created());
  EXPECT_FALSE(bresp.results(2).created());
  EXPECT_EQ(bresp.results(1).interaction_id(), bresp.results(2).interaction_id());
  // The same key with a different request: ALREADY_EXISTS naming the key; nothing stored.
  v1::SubmitInteractionResponse conflict;
  st = Submit(api1, keys["integrator"], ChatRequest("order-1", "Card stolen"), &conflict);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(st.error_message().find("idempotency_key"), std::string::npos) << st.error_message();
  EXPECT_EQ(e2e::EntriesAdded(*redis, Prefix("idem") + ":s:intake"), 2);
  EXPECT_EQ(Cmd(*redis, {"KEYS", Prefix("idem") + ":ix:*"}).elements.size(), 2u);

  // 2. 8 threads per intake replica race with one key (half of them through the batch call).
  auto race = cluster.CreateTenant("race");
  e2e::SetUpVoiceChatEmail(api0, race["admin"], 0);
  if (HasFatalFailure()) return;
  constexpr int kThreads = 16;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::string> ids(kThreads);
  std::vector<int> created(kThreads, -1);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ApiClient& api = t % 2 == 0 ? api0 : api1;
      auto req = ChatRequest("race-key-1", "Please call me back");
      auto ctx = ApiClient::Context(race["integrator"]);
      ++ready;
      for (int spin = 0; spin < 200000 && !go.load(); ++spin) std::this_thread::yield();
      if (t % 4 < 2) {
        v1::SubmitInteractionResponse resp;
        auto s = api.intake().SubmitInteraction(ctx.get(), req, &resp);
        if (!s.ok()) {
          errors[t] = s.error_message();
          return;
        }
        ids[t] = resp.interaction_id();
        created[t] = resp.created() ? 1 : 0;
      } else {
        v1::SubmitInteractionsRequest b;
        *b.add_interactions() = req;
        v1::SubmitInteractionsResponse resp;
        auto s = api.intake().SubmitInteractions(ctx.get(), b, &resp);
        if (!s.ok() || resp.results_size() != 1 || resp.results(0).code() != 0) {
          errors[t] =
              s.ok() && resp.results_size() == 1 ? resp.results(0).message() : s.error_message();
          return;
        }
        ids[t] = resp.results(0).interaction_id();
        created[t] = resp.results(0).created() ? 1 : 0;
      }
    });
  }
  ASSERT_TRUE(e2e::WaitFor([&] { return ready.load() == kThreads; }, std::chrono::seconds(10)));
  go = true;
  for (auto& th : threads) th.join();
  std::set<std::string> distinct;
  int creators = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(errors[t].empty()) << "thread " << t << ": " << errors[t];
    distinct.insert(ids[t]);
    creators += created[t] == 1 ? 1 : 0;
  }
  ASSERT_EQ(distinct.size(), 1u);
  EXPECT_EQ(creators, 1);
  const std::string id = *distinct.begin();
  const std::string RP = Prefix("race");
  EXPECT_EQ(e2e::EntriesAdded(*redis, RP + ":s:intake"), 1);
  EXPECT_EQ(Cmd(*redis, {"KEYS", RP + ":ix:*"}).elements.size(), 1u);
  EXPECT_EQ(Cmd(*redis, {"GET", RP + ":idem:race-key-1"}).str, id);
  EXPECT_EQ(CountEvents(*redis, "race", "submitted", id), 1);
  // It flows through the pipeline once: one classification, one enqueue (no agents: queued).
  ASSERT_TRUE(e2e::WaitFor(
      [&] { return StateOf(api1, race["integrator"], id) == v1::INTERACTION_STATE_QUEUED; },
      std::chrono::seconds(10)));
  EXPECT_EQ(CountEvents(*redis, "race", "classified", id), 1);
  EXPECT_EQ(CountEvents(*redis, "race", "queued", id), 1);
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", RP + ":qt:chat:2"}), 1);
}

// ---- Invalid requests -------------------------------------------------------------------

struct BadCall {
  std::string what;
  grpc::StatusCode code;
  std::string field;  // must appear in the error message
  std::function<grpc::Status()> call;
};

// An idle tenant: queues, a logged-out agent (so nothing is offered) and one queued
// interaction. Run() checks that each call is refused as expected with the field named, and
// that Redis is byte-for-byte unchanged afterwards.
class ValidationE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<testing::Cluster>();
    keys_ = cluster_->CreateTenant("strict");
    api_ = std::make_unique<ApiClient>(cluster_->endpoints());
    ApiClient& api = *api_;
    e2e::SetUpVoiceChatEmail(api, keys_["admin"], 0);
    if (HasFatalFailure()) return;
    v1::SetAgentStateRequest a;
    a.set_agent_id("agent-1");
    a.set_state(v1::AGENT_STATE_OFFLINE);
    auto* s = a.add_skills();
    s->set_name("billing");
    s->set_proficiency(3);
    auto* c = a.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(2);
    v1::SetAgentStateResponse ar;
    ASSERT_TRUE(api.routing().SetAgentState(ApiClient::Context(keys_["agent"]).get(), a, &ar).ok());
    v1::SubmitInteractionResponse queued;
    ASSERT_TRUE(
        Submit(api, keys_["integrator"], ChatRequest("q-1", "Billing question"), &queued).ok());
    qid_ = queued.interaction_id();
    ASSERT_TRUE(e2e::WaitFor(
        [&] { return StateOf(api, keys_["integrator"], qid_) == v1::INTERACTION_STATE_QUEUED; },
        std::chrono::seconds(10)));
  }

  void Run(const std::vector<BadCall>& calls) {
    const std::string T = Prefix("strict");
    auto redis = cluster_->redis().Connect();
    // The pipeline has settled: nothing is pending in either stream.
    ASSERT_TRUE(e2e::WaitFor(
        [&] {
          return e2e::PendingCount(*redis, T + ":s:intake", "classification") == 0 &&
                 e2e::PendingCount(*redis, T + ":s:classified", "routing") == 0;
        },
        std::chrono::seconds(10)));
    int64_t dbsize = CmdInt(*redis, {"DBSIZE"});
    auto before = e2e::SnapshotRedis(*redis);
    ASSERT_GT(before.size(), 10u);
    for (const auto& c : calls) {
      grpc::Status st = c.call();
      EXPECT_EQ(st.error_code(), c.code) << c.what << ": " << st.error_message();
      EXPECT_NE(st.error_message().find(c.field), std::string::npos)
          << c.what << ": message '" << st.error_message() << "' does not name " << c.field;
    }
    auto after = e2e::SnapshotRedis(*redis);
    EXPECT_EQ(CmdInt(*redis, {"DBSIZE"}), dbsize);
    EXPECT_EQ(e2e::DiffSnapshots(before, after), "");
    EXPECT_EQ(StateOf(*api_, keys_["integrator"], qid_), v1::INTERACTION_STATE_QUEUED);
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<ApiClient> api_;
  std::string qid_;
};

TEST_F(ValidationE2E, InvalidRequestsNameTheFieldAndChangeNothing) {
  if (HasFatalFailure()) return;
  ApiClient& api = *api_;
  const std::string qid = qid_;
  const std::string integrator = keys_["integrator"], agent = keys_["agent"],
                    admin = keys_["admin"], supervisor = keys_["supervisor"];
  auto submit = [&](std::function<void(v1::SubmitInteractionRequest&)> mutate) {
    return [&api, integrator, mutate] {
      auto r = ChatRequest("", "Where is my parcel?");
      mutate(r);
      v1::SubmitInteractionResponse resp;
      return Submit(api, integrator, r, &resp);
    };
  };
  auto batch = [&](int n, std::function<void(v1::SubmitInteractionRequest&)> mutate) {
    return [&api, integrator, n, mutate] {
      v1::SubmitInteractionsRequest b;
      for (int i = 0; i < n; ++i) {
        auto r = ChatRequest("batch-" + std::to_string(i), "Where is my parcel?");
        mutate(r);
        *b.add_interactions() = r;
      }
      v1::SubmitInteractionsResponse resp;
      auto st = api.intake().SubmitInteractions(ApiClient::Context(integrator).get(), b, &resp);
      if (!st.ok()) return st;
      // A batch answers OK with a status per item: report the first failed item.
      for (const auto& r : resp.results()) {
        if (r.code() != 0)
          return grpc::Status(static_cast<grpc::StatusCode>(r.code()), r.message());
      }
      return grpc::Status::OK;
    };
  };
  auto set_agent = [&](std::function<void(v1::SetAgentStateRequest&)> mutate) {
    return [&api, agent, mutate] {
      v1::SetAgentStateRequest r;
      r.set_agent_id("agent-1");
      r.set_state(v1::AGENT_STATE_AVAILABLE);
      mutate(r);
      v1::SetAgentStateResponse resp;
      return api.routing().SetAgentState(ApiClient::Context(agent).get(), r, &resp);
    };
  };
  auto put_queue = [&](std::function<void(v1::Queue&)> mutate) {
    return [&api, admin, mutate] {
      v1::PutQueueRequest r;
      r.mutable_queue()->set_name("voice");
      r.mutable_queue()->add_channels(v1::CHANNEL_VOICE);
      mutate(*r.mutable_queue());
      v1::PutQueueResponse resp;
      return api.admin().PutQueue(ApiClient::Context(admin).get(), r, &resp);
    };
  };
  auto put_config = [&](std::function<void(v1::TenantConfig&)> mutate) {
    return [&api, admin, mutate] {
      v1::PutTenantConfigRequest r;
      (*r.mutable_config()->mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = "chat";
      mutate(*r.mutable_config());
      v1::PutTenantConfigResponse resp;
      return api.admin().PutTenantConfig(ApiClient::Context(admin).get(), r, &resp);
    };
  };
  auto offer_call = [&](const std::string& kind, const std::string& agent_id, const std::string& id,
                        const std::string& reason = "busy") {
    return [&api, agent, kind, agent_id, id, reason] {
      auto ctx = ApiClient::Context(agent);
      if (kind == "accept") {
        v1::AcceptOfferRequest r;
        r.set_agent_id(agent_id);
        r.set_interaction_id(id);
        v1::AcceptOfferResponse resp;
        return api.routing().AcceptOffer(ctx.get(), r, &resp);
      }
      if (kind == "reject") {
        v1::RejectOfferRequest r;
        r.set_agent_id(agent_id);
        r.set_interaction_id(id);
        r.set_reason(reason);
        v1::RejectOfferResponse resp;
        return api.routing().RejectOffer(ctx.get(), r, &resp);
      }
      v1::CompleteInteractionRequest r;
      r.set_agent_id(agent_id);
      r.set_interaction_id(id);
      v1::CompleteInteractionResponse resp;
      return api.routing().CompleteInteraction(ctx.get(), r, &resp);
    };
  };
  auto cancel = [&](const std::string& id, const std::string& reason) {
    return [&api, integrator, id, reason] {
      v1::CancelInteractionRequest r;
      r.set_interaction_id(id);
      r.set_reason(reason);
      v1::CancelInteractionResponse resp;
      return api.intake().CancelInteraction(ApiClient::Context(integrator).get(), r, &resp);
    };
  };
  auto watch_offers = [&](const std::string& after) {
    return [&api, agent, after] {
      auto ctx = ApiClient::Context(agent, std::chrono::seconds(5));
      v1::WatchOffersRequest r;
      r.set_agent_id("agent-1");
      r.set_after_offer_id(after);
      auto reader = api.routing().WatchOffers(ctx.get(), r);
      v1::Offer o;
      while (reader->Read(&o)) {
      }
      return reader->Finish();
    };
  };
  const grpc::StatusCode kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
  const std::string unknown_id(32, 'a');
  std::vector<BadCall> calls = {
      // Intake.SubmitInteraction
      {"missing channel", kInvalid, "channel",
       submit([](auto& r) { r.set_channel(v1::CHANNEL_UNSPECIFIED); })},
      {"unknown channel 99", kInvalid, "channel",
       submit([](auto& r) { r.set_channel(static_cast<v1::Channel>(99)); })},
      {"subject over 1000 bytes", kInvalid, "subject",
       submit([](auto& r) { r.set_subject(std::string(1001, 's')); })},
      {"33 attributes", kInvalid, "attributes", submit([](auto& r) {
         for (int i = 0; i < 33; ++i) (*r.mutable_attributes())["k" + std::to_string(i)] = "v";
       })},
      {"bad attribute key", kInvalid, "attributes",
       submit([](auto& r) { (*r.mutable_attributes())["bad key!"] = "v"; })},
      {"idempotency key with a space", kInvalid, "idempotency_key",
       submit([](auto& r) { r.set_idempotency_key("my key"); })},
      {"idempotency key of 129 bytes", kInvalid, "idempotency_key",
       submit([](auto& r) { r.set_idempotency_key(std::string(129, 'k')); })},
      {"priority 9", kInvalid, "priority",
       submit([](auto& r) { r.set_priority(static_cast<v1::Priority>(9)); })},
      {"nonexistent queue (with a key)", kInvalid, "queue", submit([](auto& r) {
         r.set_queue("no-such-queue");
         r.set_idempotency_key("nq-1");
       })},
      {"queue name with a space", kInvalid, "queue",
       submit([](auto& r) { r.set_queue("bad queue"); })},
      {"customer_id with bad characters", kInvalid, "customer_id",
       submit([](auto& r) { r.set_customer_id("cust 1/2"); })},
      // Intake.SubmitInteractions
      {"batch of 0", kInvalid, "interactions", batch(0, [](auto&) {})},
      {"batch of 501", kInvalid, "interactions", batch(501, [](auto&) {})},
      {"batch item without channel", kInvalid, "interactions[0].channel",
       batch(2, [](auto& r) { r.set_channel(v1::CHANNEL_UNSPECIFIED); })},
      // Intake.CancelInteraction / GetInteraction
      {"cancel with malformed id", kInvalid, "interaction_id", cancel("not-an-id", "")},
      {"cancel with upper-case id", kInvalid, "interaction_id", cancel(std::string(32, 'A'), "")},
      {"cancel of an unknown id", grpc::StatusCode::NOT_FOUND, "interaction_id",
       cancel(unknown_id, "")},
      {"get with malformed id", kInvalid, "interaction_id",
       [&api, integrator] {
         v1::GetInteractionRequest g;
         g.set_interaction_id("1234");
         v1::GetInteractionResponse gr;
         return api.intake().GetInteraction(ApiClient::Context(integrator).get(), g, &gr);
       }},
      // Routing.SetAgentState
      {"agent state missing", kInvalid, "state",
       set_agent([](auto& r) { r.set_state(v1::AGENT_STATE_UNSPECIFIED); })},
      {"agent id with a space", kInvalid, "agent_id",
       set_agent([](auto& r) { r.set_agent_id("agent 1"); })},
      {"proficiency 7", kInvalid, "proficiency", set_agent([](auto& r) {
         auto* s = r.add_skills();
         s->set_name("billing");
         s->set_proficiency(7);
       })},
      {"capacity -1", kInvalid, "capacities", set_agent([](auto& r) {
         auto* c = r.add_capacities();
         c->set_channel(v1::CHANNEL_CHAT);
         c->set_max(-1);
       })},
      {"capacity for channel 99", kInvalid, "capacities", set_agent([](auto& r) {
         auto* c = r.add_capacities();
         c->set_channel(static_cast<v1::Channel>(99));
         c->set_max(1);
       })},
      {"duplicate capacity channel", kInvalid, "capacities", set_agent([](auto& r) {
         for (int i = 0; i < 2; ++i) {
           auto* c = r.add_capacities();
           c->set_channel(v1::CHANNEL_CHAT);
           c->set_max(1);
         }
       })},
      // Routing offers
      {"accept with bad interaction id", kInvalid, "interaction_id",
       offer_call("accept", "agent-1", "xyz")},
      {"reject with a reason over 256 bytes", kInvalid, "reason",
       offer_call("reject", "agent-1", qid, std::string(300, 'x'))},
      {"complete with bad agent id", kInvalid, "agent_id", offer_call("complete", "", qid)},
      {"accept of an interaction that is not offered", grpc::StatusCode::FAILED_PRECONDITION,
       "interaction_id", offer_call("accept", "agent-1", qid)},
      {"reject of an interaction that is not offered", grpc::StatusCode::FAILED_PRECONDITION,
       "interaction_id", offer_call("reject", "agent-1", qid)},
      {"complete of an interaction that is not assigned", grpc::StatusCode::FAILED_PRECONDITION,
       "interaction_id", offer_call("complete", "agent-1", qid)},
      {"watch offers with bad after_offer_id", kInvalid, "after_offer_id",
       watch_offers("yesterday")},
      {"watch events with bad after_event_id", kInvalid, "after_event_id",
       [&api, supervisor] {
         auto ctx = ApiClient::Context(supervisor, std::chrono::seconds(5));
         v1::WatchEventsRequest r;
         r.set_after_event_id("12-ab");
         auto reader = api.routing().WatchEvents(ctx.get(), r);
         v1::Event e;
         while (reader->Read(&e)) {
         }
         return reader->Finish();
       }},
      {"queue stats with bad queue name", kInvalid, "queue",
       [&api, supervisor] {
         v1::GetQueueStatsRequest r;
         r.set_queue("voice/../chat");
         v1::GetQueueStatsResponse resp;
         return api.routing().GetQueueStats(ApiClient::Context(supervisor).get(), r, &resp);
       }},
      // Admin
      {"queue without channels", kInvalid, "queue.channels",
       put_queue([](auto& q) { q.clear_channels(); })},
      {"queue with a duplicate channel", kInvalid, "queue.channels",
       put_queue([](auto& q) { q.add_channels(v1::CHANNEL_VOICE); })},
      {"queue name with a space", kInvalid, "queue.name",
       put_queue([](auto& q) { q.set_name("my queue"); })},
      {"queue offer timeout 301 s", kInvalid, "queue.offer_timeout_seconds",
       put_queue([](auto& q) { q.set_offer_timeout_seconds(301); })},
      {"queue skill proficiency 0", kInvalid, "queue.required_skills", put_queue([](auto& q) {
         auto* s = q.add_required_skills();
         s->set_name("billing");
         s->set_proficiency(0);
       })},
      {"step adding an unknown queue", kInvalid, "queue.steps[0].add_queues[0]",
       put_queue([](auto& q) {
         auto* st = q.add_steps();
         st->set_after_seconds(20);
         st->add_add_queues("no-such-queue");
       })},
      {"step lowering a skill the queue does not require", kInvalid,
       "queue.steps[0].lower_proficiency[0].name", put_queue([](auto& q) {
         auto* st = q.add_steps();
         st->set_after_seconds(20);
         auto* s = st->add_lower_proficiency();
         s->set_name("billing");
         s->set_proficiency(1);
       })},
      {"capacity profile without capacities", kInvalid, "config.capacity_profiles[0].capacities",
       put_config([](auto& c) { c.add_capacity_profiles()->set_name("chat3"); })},
      {"capacities and a capacity profile together", kInvalid, "capacity_profile",
       set_agent([](auto& r) {
         auto* c = r.add_capacities();
         c->set_channel(v1::CHANNEL_CHAT);
         c->set_max(1);
         r.set_capacity_profile("chat3");
       })},
      {"login with an unknown capacity profile", grpc::StatusCode::FAILED_PRECONDITION,
       "capacity_profile", set_agent([](auto& r) { r.set_capacity_profile("nope"); })},
      {"rule pointing at an unknown queue", kInvalid, "config.rules[0].queue",
       put_config([](auto& c) {
         auto* r = c.add_rules();
         r->set_name("cards");
         r->set_category("cards");
         r->add_keywords("card");
         r->set_queue("no-such-queue");
       })},
      {"duplicate rule names", kInvalid, "config.rules[1].name", put_config([](auto& c) {
         for (int i = 0; i < 2; ++i) {
           auto* r = c.add_rules();
           r->set_name("same");
           r->set_category("cards");
         }
       })},
      {"non-monotonic head starts", kInvalid, "config.priority_head_start_seconds",
       put_config([](auto& c) {
         for (int s : {10, 60, 30, 0}) c.add_priority_head_start_seconds(s);
       })},
      {"three head starts", kInvalid, "config.priority_head_start_seconds", put_config([](auto& c) {
         for (int s : {60, 30, 0}) c.add_priority_head_start_seconds(s);
       })},
      {"default queue for channel 99", kInvalid, "config.default_queue_by_channel",
       put_config([](auto& c) { (*c.mutable_default_queue_by_channel())[99] = "chat"; })},
      {"max missed offers 101", kInvalid, "config.max_missed_offers",
       put_config([](auto& c) { c.set_max_missed_offers(101); })},
      {"delete a queue with waiting work", grpc::StatusCode::FAILED_PRECONDITION, "name",
       [&api, admin] {
         v1::DeleteQueueRequest r;
         r.set_name("chat");
         v1::DeleteQueueResponse resp;
         return api.admin().DeleteQueue(ApiClient::Context(admin).get(), r, &resp);
       }},
      {"delete an unknown queue", grpc::StatusCode::NOT_FOUND, "name",
       [&api, admin] {
         v1::DeleteQueueRequest r;
         r.set_name("nope");
         v1::DeleteQueueResponse resp;
         return api.admin().DeleteQueue(ApiClient::Context(admin).get(), r, &resp);
       }},
      // Classifier
      {"classify with unknown channel", kInvalid, "channel",
       [&api, integrator] {
         v1::ClassifyRequest r;
         r.set_channel(static_cast<v1::Channel>(42));
         v1::ClassifyResponse resp;
         return api.classifier().Classify(ApiClient::Context(integrator).get(), r, &resp);
       }},
  };
  ASSERT_GE(calls.size(), 15u);
  Run(calls);
}

// Invalid UTF-8 in a string field must be INVALID_ARGUMENT naming the field, like every other
// bad input (the services validate UTF-8 themselves); nothing may change.
TEST_F(ValidationE2E, InvalidUtf8IsInvalidArgumentNamingTheField) {
  if (HasFatalFailure()) return;
  testing::Cluster& cluster = *cluster_;
  const std::string qid = qid_;
  const std::string integrator = keys_["integrator"];
  const grpc::StatusCode kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
  {
    // The raw path reaches the handler: a valid request sent this way is answered.
    v1::GetInteractionRequest g;
    g.set_interaction_id(qid);
    std::string out;
    auto st = e2e::RawUnary(cluster.endpoints().intake, "/omniroute.v1.Intake/GetInteraction",
                            integrator, g.SerializeAsString(), &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    v1::GetInteractionResponse gr;
    ASSERT_TRUE(gr.ParseFromString(out));
    EXPECT_EQ(gr.interaction().interaction_id(), qid);
  }
  // Invalid UTF-8 cannot pass the client's serializer: these requests are sent as raw bytes.
  auto raw_submit = [&](std::function<void(v1::SubmitInteractionRequest&)> mutate,
                        const std::string& placeholder, const std::string& raw) {
    return [&cluster, integrator, mutate, placeholder, raw] {
      auto r = ChatRequest("", "Where is my parcel?");
      mutate(r);
      return e2e::RawUnary(cluster.endpoints().intake, "/omniroute.v1.Intake/SubmitInteraction",
                           integrator, e2e::SerializeWithRawBytes(r, placeholder, raw));
    };
  };
  std::vector<BadCall> calls = {
      {"body not UTF-8", kInvalid, "body",
       raw_submit([](auto& r) { r.set_body("bad @@ text"); }, "@@", "\xc3\x28")},
      {"subject not UTF-8", kInvalid, "subject",
       raw_submit([](auto& r) { r.set_subject("Hi @@"); }, "@@", "\xe0\x80")},
      {"attribute value not UTF-8", kInvalid, "attributes",
       raw_submit([](auto& r) { (*r.mutable_attributes())["note"] = "@@"; }, "@@", "\xff\xfe")},
      {"cancel reason not UTF-8", kInvalid, "reason",
       [&cluster, integrator, qid] {
         v1::CancelInteractionRequest r;
         r.set_interaction_id(qid);
         r.set_reason("@@");
         return e2e::RawUnary(cluster.endpoints().intake, "/omniroute.v1.Intake/CancelInteraction",
                              integrator, e2e::SerializeWithRawBytes(r, "@@", "\xc0\xaf"));
       }},
  };
  Run(calls);
}

// ---- Authentication and tenant isolation ------------------------------------------------

TEST(AuthE2E, KeysRolesAndTenantsAreEnforced) {
  testing::Cluster cluster;
  auto a = cluster.CreateTenant("tenant-a");
  auto b = cluster.CreateTenant("tenant-b");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, a["admin"], 0);
  if (HasFatalFailure()) return;
  auto redis = cluster.redis().Connect();

  auto submit_with = [&](grpc::ClientContext* ctx, const std::string& tenant_id) {
    auto r = ChatRequest("", "My password does not work");
    r.set_tenant_id(tenant_id);
    v1::SubmitInteractionResponse resp;
    return api.intake().SubmitInteraction(ctx, r, &resp);
  };
  {
    grpc::ClientContext ctx;  // no metadata
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    EXPECT_EQ(submit_with(&ctx, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(submit_with(ApiClient::Context("ork_tenant-a_0000").get(), "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  {
    grpc::ClientContext ctx;  // a known key, but not as a bearer token
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("authorization", "Basic " + a["integrator"]);
    EXPECT_EQ(submit_with(&ctx, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;  // unauthenticated health and admin calls too
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListQueuesRequest r;
    v1::ListQueuesResponse resp;
    EXPECT_EQ(api.admin().ListQueues(&ctx, r, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  // Wrong role.
  {
    v1::PutQueueRequest r;
    r.mutable_queue()->set_name("sneaky");
    r.mutable_queue()->add_channels(v1::CHANNEL_CHAT);
    v1::PutQueueResponse resp;
    auto st = api.admin().PutQueue(ApiClient::Context(a["agent"]).get(), r, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    st = api.admin().PutQueue(ApiClient::Context(a["integrator"]).get(), r, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    v1::SetAgentStateRequest s;
    s.set_agent_id("x");
    s.set_state(v1::AGENT_STATE_AVAILABLE);
    v1::SetAgentStateResponse sr;
    st = api.routing().SetAgentState(ApiClient::Context(a["integrator"]).get(), s, &sr);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    EXPECT_EQ(submit_with(ApiClient::Context(a["agent"]).get(), "").error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(CmdInt(*redis, {"SISMEMBER", Prefix("tenant-a") + ":queues", "sneaky"}), 0);
  }
  // A key of tenant A naming tenant B.
  EXPECT_EQ(submit_with(ApiClient::Context(a["integrator"]).get(), "tenant-b").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(submit_with(ApiClient::Context(a["integrator"]).get(), "tenant-a}").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    v1::PutQueueRequest r;
    r.set_tenant_id("tenant-b");
    r.mutable_queue()->set_name("q");
    r.mutable_queue()->add_channels(v1::CHANNEL_CHAT);
    v1::PutQueueResponse resp;
    EXPECT_EQ(api.admin().PutQueue(ApiClient::Context(a["admin"]).get(), r, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // A batch item naming another tenant is refused on its own.
  {
    v1::SubmitInteractionsRequest r;
    *r.add_interactions() = ChatRequest("", "x");
    r.mutable_interactions(0)->set_tenant_id("tenant-b");
    v1::SubmitInteractionsResponse resp;
    ASSERT_TRUE(
        api.intake().SubmitInteractions(ApiClient::Context(a["integrator"]).get(), r, &resp).ok());
    ASSERT_EQ(resp.results_size(), 1);
    EXPECT_EQ(resp.results(0).code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
    EXPECT_TRUE(resp.results(0).interaction_id().empty());
  }
  EXPECT_LE(e2e::EntriesAdded(*redis, Prefix("tenant-b") + ":s:intake"), 0);
  EXPECT_LE(e2e::EntriesAdded(*redis, Prefix("tenant-a") + ":s:intake"), 0);

  // Tenant A owns an interaction; tenant B's keys can neither read nor change it.
  v1::SubmitInteractionResponse mine;
  ASSERT_TRUE(Submit(api, a["integrator"], ChatRequest("a-1", "Secret of A"), &mine).ok());
  const std::string id = mine.interaction_id();
  ASSERT_TRUE(e2e::WaitFor(
      [&] { return StateOf(api, a["integrator"], id) == v1::INTERACTION_STATE_QUEUED; },
      std::chrono::seconds(10)));
  {
    v1::GetInteractionRequest g;
    g.set_interaction_id(id);
    v1::GetInteractionResponse gr;
    auto st = api.intake().GetInteraction(ApiClient::Context(b["integrator"]).get(), g, &gr);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_FALSE(gr.has_interaction());
    EXPECT_EQ(st.error_message().find("Secret"), std::string::npos);
    g.set_tenant_id("tenant-a");
    st = api.intake().GetInteraction(ApiClient::Context(b["integrator"]).get(), g, &gr);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_FALSE(gr.has_interaction());
  }
  {
    v1::CancelInteractionRequest c;
    c.set_interaction_id(id);
    v1::CancelInteractionResponse cr;
    auto st = api.intake().CancelInteraction(ApiClient::Context(b["integrator"]).get(), c, &cr);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  }
  {
    v1::AcceptOfferRequest r;
    r.set_agent_id("agent-b");
    r.set_interaction_id(id);
    v1::AcceptOfferResponse resp;
    auto st = api.routing().AcceptOffer(ApiClient::Context(b["agent"]).get(), r, &resp);
    EXPECT_FALSE(st.ok());
    EXPECT_FALSE(resp.has_interaction());
  }
  {
    v1::GetQueueStatsRequest r;
    r.set_queue("chat");
    v1::GetQueueStatsResponse resp;
    auto st = api.routing().GetQueueStats(ApiClient::Context(b["supervisor"]).get(), r, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
    EXPECT_EQ(resp.waiting(), 0);
  }
  {
    // B's event feed carries nothing of A.
    auto ctx = ApiClient::Context(b["supervisor"], std::chrono::milliseconds(1500));
    v1::WatchEventsRequest r;
    r.set_after_event_id("0");
    auto reader = api.routing().WatchEvents(ctx.get(), r);
    v1::Event e;
    int events = 0;
    while (reader->Read(&e) && events < 1000) ++events;
    (void)reader->Finish();
    EXPECT_EQ(events, 0);
  }
  // A's interaction is untouched and still readable by A.
  EXPECT_EQ(StateOf(api, a["integrator"], id), v1::INTERACTION_STATE_QUEUED);
  EXPECT_EQ(CountEvents(*redis, "tenant-a", "canceled", id), 0);
}

// ---- The invariant checker itself ---------------------------------------------------------

TEST(ReplayCheckerE2E, DetectsDoubleOffersOverCapacityAndDoubleCompletion) {
  auto ev = [](const std::string& id, const std::string& type, const std::string& ix,
               const std::string& agent) {
    e2e::FeedEvent e;
    e.id = id;
    e.type = type;
    e.ix = ix;
    e.agent = agent;
    e.channel = 2;
    return e;
  };
  std::map<std::string, std::map<int, int>> cap = {{"a1", {{2, 1}}}, {"a2", {{2, 1}}}};
  // A clean life: no violations, loads back to zero.
  auto ok = e2e::ReplayFeed({ev("1-0", "submitted", "x", ""), ev("2-0", "offered", "x", "a1"),
                             ev("3-0", "rejected", "x", "a1"), ev("4-0", "offered", "x", "a2"),
                             ev("5-0", "accepted", "x", "a2"), ev("6-0", "completed", "x", "a2")},
                            cap);
  EXPECT_TRUE(ok.violations.empty());
  EXPECT_EQ(ok.completed["x"], 1);
  EXPECT_EQ(ok.load["a2"][2], 0);
  // Offered to a second agent while the first offer is open.
  EXPECT_FALSE(
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "offered", "x", "a2")}, cap)
          .violations.empty());
  // Two open offers for an agent of capacity 1.
  EXPECT_FALSE(
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "offered", "y", "a1")}, cap)
          .violations.empty());
  // Completed twice; accepted by an agent without the offer.
  EXPECT_FALSE(
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "accepted", "x", "a1"),
                       ev("3-0", "completed", "x", "a1"), ev("4-0", "completed", "x", "a1")},
                      cap)
          .violations.empty());
  EXPECT_FALSE(
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "accepted", "x", "a2")}, cap)
          .violations.empty());
}

}  // namespace
}  // namespace omniroute
