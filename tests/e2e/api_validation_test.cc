// Invalid requests to the public API must be refused with the field named and leave Redis
// byte-for-byte unchanged.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/e2e/api_test_util.h"
#include "tests/e2e/api_validation_fixture.h"

namespace omniroute::api_test {
namespace {

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
      {"idempotency key with a tab", kInvalid, "idempotency_key",
       submit([](auto& r) { r.set_idempotency_key("my\tkey"); })},
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

// A 64 KB value where an id belongs: every service answers at once with an error of bounded
// length (it would otherwise ride whole in the grpc-message trailer, past what a client takes),
// and the next call on the same connection is answered normally.
TEST_F(ValidationE2E, HugeInputsGetBoundedErrorsAndTheConnectionStaysUsable) {
  if (HasFatalFailure()) return;
  ApiClient& api = *api_;
  const std::string huge(64 * 1024, 't');
  const std::string integrator = keys_["integrator"], admin = keys_["admin"];
  auto deadline = std::chrono::seconds(5);
  std::vector<std::pair<std::string, std::function<grpc::Status(const std::string&)>>> calls = {
      {"SubmitInteraction",
       [&](const std::string& tenant) {
         auto r = ChatRequest("", "Where is my parcel?");
         r.set_tenant_id(tenant);
         v1::SubmitInteractionResponse resp;
         return api.intake().SubmitInteraction(ApiClient::Context(integrator, deadline).get(), r,
                                               &resp);
       }},
      {"Classify",
       [&](const std::string& tenant) {
         v1::ClassifyRequest r;
         r.set_tenant_id(tenant);
         r.set_channel(v1::CHANNEL_CHAT);
         v1::ClassifyResponse resp;
         return api.classifier().Classify(ApiClient::Context(integrator, deadline).get(), r, &resp);
       }},
      {"GetTenantConfig",
       [&](const std::string& tenant) {
         v1::GetTenantConfigRequest r;
         r.set_tenant_id(tenant);
         v1::GetTenantConfigResponse resp;
         return api.admin().GetTenantConfig(ApiClient::Context(admin, deadline).get(), r, &resp);
       }},
  };
  for (const auto& [name, call] : calls) {
    auto t0 = std::chrono::steady_clock::now();
    grpc::Status st = call(huge);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << name << ": " << st.error_message().substr(0, 200);
    EXPECT_LE(st.error_message().size(), 512u) << name;
    EXPECT_NE(st.error_message().find("tenant_id"), std::string::npos) << name;
    EXPECT_LT(seconds, 2.0) << name << " took " << seconds << " s";
    // The connection still serves: the same call with the key's own tenant (empty = its own).
    grpc::Status next = call("");
    EXPECT_NE(next.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << name;
    EXPECT_NE(next.error_code(), grpc::StatusCode::PERMISSION_DENIED) << name;
  }
}

}  // namespace
}  // namespace omniroute::api_test
