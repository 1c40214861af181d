// The HTTP/JSON front with a real HTTP client (curl) against the real services: an interaction's
// whole life over HTTP only (queue, agent log-in, submit and batch submit, the offer over
// Server-Sent Events, accept, complete, queue stats, explain), the documented errors, resuming
// an event stream with Last-Event-ID, and CORS for a browser origin.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "omniroute/v1/admin.pb.h"
#include "omniroute/v1/intake.pb.h"
#include "omniroute/v1/routing.pb.h"
#include "tests/e2e/http_client.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::Curl;
using e2e::EventStream;
using e2e::Parse;
using e2e::PostJson;

constexpr char kOrigin[] = "https://desk.example.com";

testing::ClusterOptions Options() {
  testing::ClusterOptions o;
  o.extra_flags = {std::string("--http-cors-origins=") + kOrigin};
  return o;
}

class HttpApiE2E : public ::testing::Test {
 protected:
  HttpApiE2E() : cluster_(Options()) {}

  void SetUp() override {
    keys_ = cluster_.CreateTenant("acme");
    other_ = cluster_.CreateTenant("globex");
    auto r = Post(routing_, "omniroute.v1.Admin/PutQueue", keys_["admin"],
                  R"({"queue": {"name": "chat", "channels": ["CHANNEL_CHAT", "CHANNEL_EMAIL"],
                                "offerTimeoutSeconds": 30}})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  e2e::HttpResult Post(const std::string& base, const std::string& method, const std::string& key,
                       const std::string& json) {
    return PostJson(cluster_.dir(), base + "/" + method, key, json);
  }

  std::string HttpUrl(const std::string& service) {
    for (const auto& r : cluster_.replicas()) {
      if (r.service == service) return r.http_url();
    }
    return "";
  }

  testing::Cluster cluster_;
  std::string intake_ = HttpUrl("intake");
  std::string routing_ = HttpUrl("routing");
  std::map<std::string, std::string> keys_, other_;
};

TEST_F(HttpApiE2E, AnInteractionsWholeLifeOverHttpOnly) {
  const std::string agent = keys_["agent"];
  auto login = Post(routing_, "omniroute.v1.Routing/SetAgentState", agent,
                    R"({"agentId": "ann", "state": "AGENT_STATE_AVAILABLE",
                        "capacities": [{"channel": "CHANNEL_CHAT", "max": 1}]})");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_TRUE(absl::StrContains(login.body, "chat")) << login.body;  // eligibleQueues

  EventStream offers(cluster_.dir(), "offers.sse",
                     routing_ + "/omniroute.v1.Routing/WatchOffers?agentId=ann",
                     {"Authorization: Bearer " + agent, "Accept: text/event-stream"});

  const std::string subject = "Où est ma carte ? \\\"urgent\\\"";
  auto submit = Post(intake_, "omniroute.v1.Intake/SubmitInteraction", keys_["integrator"],
                     R"({"channel": "CHANNEL_CHAT", "queue": "chat", "subject": ")" + subject +
                         R"(", "attributes": {"langue": "français"}, "idempotencyKey": "c-1"})");
  ASSERT_EQ(submit.status, 200) << submit.body;
  auto submitted = Parse<v1::SubmitInteractionResponse>(submit.body);
  ASSERT_FALSE(submitted.interaction_id().empty());
  EXPECT_TRUE(submitted.created());

  // The offer arrives over SSE, as JSON, with its id as the event id.
  auto offer_event = offers.WaitFor([&](const EventStream::Event& e) {
    return absl::StrContains(e.data, submitted.interaction_id());
  });
  ASSERT_FALSE(offer_event.data.empty()) << offers.Raw();
  EXPECT_EQ(offer_event.type, "Offer");
  auto offer = Parse<v1::Offer>(offer_event.data);
  EXPECT_EQ(offer.offer_id(), offer_event.id);
  EXPECT_EQ(offer.agent_id(), "ann");

  auto accept =
      Post(routing_, "omniroute.v1.Routing/AcceptOffer", agent,
           R"({"agentId": "ann", "interactionId": ")" + submitted.interaction_id() + R"("})");
  ASSERT_EQ(accept.status, 200) << accept.body;
  auto accepted = Parse<v1::AcceptOfferResponse>(accept.body);
  EXPECT_EQ(accepted.interaction().subject(), "Où est ma carte ? \"urgent\"");
  EXPECT_EQ(accepted.interaction().attributes().at("langue"), "français");

  auto complete =
      Post(routing_, "omniroute.v1.Routing/CompleteInteraction", agent,
           R"({"agentId": "ann", "interactionId": ")" + submitted.interaction_id() + R"("})");
  ASSERT_EQ(complete.status, 200) << complete.body;

  auto get = Post(intake_, "omniroute.v1.Intake/GetInteraction", keys_["integrator"],
                  R"({"interactionId": ")" + submitted.interaction_id() + R"("})");
  ASSERT_EQ(get.status, 200) << get.body;
  auto got = Parse<v1::GetInteractionResponse>(get.body);
  EXPECT_EQ(got.interaction().state(), v1::INTERACTION_STATE_COMPLETED) << get.body;

  // A batch: two accepted, one refused with its own code, in order.
  auto batch = Post(intake_, "omniroute.v1.Intake/SubmitInteractions", keys_["integrator"],
                    R"({"interactions": [
                          {"channel": "CHANNEL_EMAIL", "queue": "chat", "subject": "one"},
                          {"channel": "CHANNEL_EMAIL", "queue": "chat", "customerId": "bad id"},
                          {"channel": "CHANNEL_EMAIL", "queue": "chat", "subject": "three"}]})");
  ASSERT_EQ(batch.status, 200) << batch.body;
  auto results = Parse<v1::SubmitInteractionsResponse>(batch.body);
  ASSERT_EQ(results.results_size(), 3);
  EXPECT_EQ(results.results(0).code(), 0);
  EXPECT_EQ(results.results(1).code(), 3) << batch.body;  // INVALID_ARGUMENT
  EXPECT_TRUE(absl::StrContains(results.results(1).message(), "customer_id"));
  EXPECT_EQ(results.results(2).code(), 0);

  auto stats = Post(routing_, "omniroute.v1.Routing/GetQueueStats", keys_["supervisor"],
                    R"({"queue": "chat"})");
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(Parse<v1::GetQueueStatsResponse>(stats.body).waiting(), 2) << stats.body;

  auto explain = Post(routing_, "omniroute.v1.Routing/ExplainRouting", keys_["supervisor"],
                      R"({"interactionId": ")" + submitted.interaction_id() + R"("})");
  ASSERT_EQ(explain.status, 200) << explain.body;
  auto why = Parse<v1::ExplainRoutingResponse>(explain.body);
  EXPECT_EQ(why.interaction_id(), submitted.interaction_id());
  EXPECT_GE(why.decisions_size(), 1) << explain.body;
}

TEST_F(HttpApiE2E, ErrorsHaveTheDocumentedStatusAndNameTheField) {
  const std::string submit = intake_ + "/omniroute.v1.Intake/SubmitInteraction";
  const std::string key = keys_["integrator"];
  auto expect = [&](const e2e::HttpResult& r, int status, const std::string& code,
                    const std::string& names) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_TRUE(absl::StrContains(r.body, "\"code\":\"" + code + "\"")) << r.body;
    EXPECT_TRUE(absl::StrContains(r.body, names)) << r.body;
  };
  expect(PostJson(cluster_.dir(), submit, key, R"({"channel": "CHANNEL_CHAT",)"), 400,
         "invalid_argument", "request body");
  expect(PostJson(cluster_.dir(), submit, key, R"({"channel": "CHANNEL_CHAT", "subjet": "x"})"),
         400, "invalid_argument", "subjet");
  expect(PostJson(cluster_.dir(), submit, key, R"({"channel": "CHANNEL_PIGEON"})"), 400,
         "invalid_argument", "CHANNEL_PIGEON");
  expect(PostJson(cluster_.dir(), submit, key, R"({"channel": "CHANNEL_CHAT", "subject": 7})"), 400,
         "invalid_argument", "subject");
  expect(PostJson(cluster_.dir(), submit, key,
                  R"({"channel": "CHANNEL_CHAT", "customerId": "has space"})"),
         400, "invalid_argument", "customer_id");
  expect(PostJson(cluster_.dir(), submit, "not-a-key", R"({"channel": "CHANNEL_CHAT"})"), 401,
         "unauthenticated", "API key");
  expect(Curl(cluster_.dir(), "POST", submit, {"Content-Type: application/json"},
              R"({"channel": "CHANNEL_CHAT"})"),
         401, "unauthenticated", "");
  // Another tenant's id with this tenant's key; a role the key lacks.
  expect(
      PostJson(cluster_.dir(), submit, key, R"({"tenantId": "globex", "channel": "CHANNEL_CHAT"})"),
      403, "permission_denied", "");
  expect(PostJson(cluster_.dir(), routing_ + "/omniroute.v1.Admin/ListQueues", key, "{}"), 403,
         "permission_denied", "");
  expect(PostJson(cluster_.dir(), intake_ + "/omniroute.v1.Intake/GetInteraction", key,
                  R"({"interactionId": "0123456789abcdef0123456789abcdef"})"),
         404, "not_found", "");
  // Same idempotency key, different request.
  ASSERT_EQ(PostJson(cluster_.dir(), submit, key,
                     R"({"channel": "CHANNEL_CHAT", "subject": "a", "idempotencyKey": "k"})")
                .status,
            200);
  expect(PostJson(cluster_.dir(), submit, key,
                  R"({"channel": "CHANNEL_CHAT", "subject": "b", "idempotencyKey": "k"})"),
         409, "already_exists", "");
  // Paths and verbs the front does not serve.
  expect(PostJson(cluster_.dir(), intake_ + "/omniroute.v1.Routing/GetQueueStats", key, "{}"), 404,
         "not_found", "on this port");
  auto get = Curl(cluster_.dir(), "GET", submit, {"Authorization: Bearer " + key});
  EXPECT_EQ(get.status, 405) << get.body;
  auto form =
      Curl(cluster_.dir(), "POST", submit,
           {"Authorization: Bearer " + key, "Content-Type: application/x-www-form-urlencoded"},
           "channel=CHANNEL_CHAT");
  EXPECT_EQ(form.status, 415) << form.body;
  EXPECT_TRUE(absl::StrContains(form.body, "application/json")) << form.body;
  // An event stream refused before it began is a plain HTTP error.
  auto stream = Curl(cluster_.dir(), "GET",
                     routing_ + "/omniroute.v1.Routing/WatchEvents?access_token=wrong", {});
  EXPECT_EQ(stream.status, 401) << stream.body;
  auto bad_param = Curl(cluster_.dir(), "GET",
                        routing_ + "/omniroute.v1.Routing/WatchEvents?afterEvent=0&access_token=" +
                            keys_["supervisor"],
                        {});
  EXPECT_EQ(bad_param.status, 400) << bad_param.body;
  EXPECT_TRUE(absl::StrContains(bad_param.body, "afterEvent")) << bad_param.body;

  // The port counts its answers by route and status (bad JSON never reaches gRPC's metrics).
  int metrics_port = 0;
  for (const auto& r : cluster_.replicas()) {
    if (r.service == "intake") metrics_port = r.metrics_port;
  }
  auto metrics = Curl(cluster_.dir(), "GET",
                      "http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics", {});
  EXPECT_TRUE(absl::StrContains(
      metrics.body,
      R"(omniroute_http_requests_total{code="400",route="/omniroute.v1.Intake/SubmitInteraction"} 5)"))
      << metrics.body.substr(0, 3000);
  EXPECT_TRUE(absl::StrContains(metrics.body,
                                R"(omniroute_http_requests_total{code="404",route="unknown"} 1)"))
      << metrics.body.substr(0, 3000);
}

TEST_F(HttpApiE2E, AnEventStreamResumesAfterLastEventId) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Post(intake_, "omniroute.v1.Intake/SubmitInteraction", keys_["integrator"],
                   R"({"channel": "CHANNEL_EMAIL", "queue": "chat", "subject": "n)" +
                       std::to_string(i) + R"("})")
                  .status,
              200);
  }
  const std::string url = routing_ + "/omniroute.v1.Routing/WatchEvents?afterEventId=0";
  const std::string auth = "Authorization: Bearer " + keys_["supervisor"];
  std::vector<EventStream::Event> all;
  {
    EventStream first(cluster_.dir(), "first.sse", url, {auth});
    // Every interaction was submitted, classified and queued: at least 9 events.
    first.WaitFor([&](const EventStream::Event&) { return first.Events().size() >= 9; });
    all = first.Events();
  }
  ASSERT_GE(all.size(), 9u);
  for (const auto& e : all) {
    EXPECT_EQ(e.type, "Event");
    EXPECT_EQ(Parse<v1::Event>(e.data).event_id(), e.id);
  }
  // What EventSource does on a reconnect: the same URL with the last id it saw.
  EventStream resumed(cluster_.dir(), "resumed.sse", url, {auth, "Last-Event-ID: " + all[4].id});
  auto next = resumed.WaitFor([](const EventStream::Event&) { return true; });
  ASSERT_FALSE(next.data.empty()) << resumed.Raw();
  EXPECT_EQ(next.id, all[5].id);
  // The key as a query parameter works as well (browsers cannot set headers on EventSource).
  EventStream by_query(cluster_.dir(), "query.sse", url + "&access_token=" + keys_["supervisor"],
                       {});
  EXPECT_EQ(by_query.WaitFor([](const EventStream::Event&) { return true; }).id, all[0].id);
}

// SIGTERM: open event streams end with a reconnect hint (EventSource then goes to another
// replica with Last-Event-ID), and the process drains and exits 0 in time.
TEST_F(HttpApiE2E, ADrainingReplicaEndsItsEventStreamsWithARetryHint) {
  EventStream events(
      cluster_.dir(), "drain.sse",
      routing_ + "/omniroute.v1.Routing/WatchEvents?access_token=" + keys_["supervisor"], {});
  // The head (and a comment) come within a second on a quiet stream.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!absl::StrContains(events.Raw(), ": stream open") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(absl::StrContains(events.Raw(), ": stream open")) << events.Raw();
  testing::Replica* routing = nullptr;
  for (auto& r : cluster_.replicas()) {
    if (r.service == "routing") routing = &r;
  }
  ASSERT_NE(routing, nullptr);
  auto began = std::chrono::steady_clock::now();
  routing->process->Signal(SIGTERM);
  EXPECT_EQ(routing->process->Wait(15000), 0) << routing->process->ReadLog();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  EXPECT_LT(seconds, 12.0);
  EXPECT_TRUE(absl::StrContains(events.Raw(), "retry: 1000")) << events.Raw();
  std::printf("drain with an open event stream took %.2f s\n", seconds);
}

TEST_F(HttpApiE2E, EachPortServesTheOpenApiDocumentOfItsOwnRoutes) {
  auto routing = Curl(cluster_.dir(), "GET", routing_ + "/openapi.json", {});
  ASSERT_EQ(routing.status, 200);
  EXPECT_TRUE(absl::StrContains(routing.body, "\"openapi\": \"3.0.3\""))
      << routing.body.substr(0, 200);
  EXPECT_TRUE(absl::StrContains(routing.body, "\"/omniroute.v1.Admin/PutQueue\""));
  EXPECT_TRUE(absl::StrContains(routing.body, "\"/omniroute.v1.Routing/WatchOffers\""));
  EXPECT_FALSE(absl::StrContains(routing.body, "\"/omniroute.v1.Intake/SubmitInteraction\""));
  auto intake = Curl(cluster_.dir(), "GET", intake_ + "/openapi.json", {});
  ASSERT_EQ(intake.status, 200);
  EXPECT_TRUE(absl::StrContains(intake.body, "\"/omniroute.v1.Intake/SubmitInteraction\""));
  EXPECT_FALSE(absl::StrContains(intake.body, "\"/omniroute.v1.Admin/PutQueue\""));
}

TEST_F(HttpApiE2E, BrowsersFromAnAllowedOriginGetCorsHeaders) {
  const std::string url = intake_ + "/omniroute.v1.Intake/SubmitInteraction";
  std::vector<std::string> argv = {"/usr/bin/curl",
                                   "-s",
                                   "-i",
                                   "-X",
                                   "OPTIONS",
                                   "-H",
                                   std::string("Origin: ") + kOrigin,
                                   "-H",
                                   "Access-Control-Request-Method: POST",
                                   url};
  auto preflight = e2e::RunCommand(argv, {}, "", cluster_.dir());
  EXPECT_TRUE(absl::StrContains(preflight.out, "204")) << preflight.out;
  EXPECT_TRUE(
      absl::StrContains(preflight.out, std::string("Access-Control-Allow-Origin: ") + kOrigin))
      << preflight.out;
  EXPECT_TRUE(absl::StrContains(preflight.out, "Authorization")) << preflight.out;
  argv[6] = "Origin: https://evil.example.com";
  auto refused = e2e::RunCommand(argv, {}, "", cluster_.dir());
  EXPECT_FALSE(absl::StrContains(refused.out, "Access-Control-Allow-Origin")) << refused.out;
}

}  // namespace
}  // namespace omniroute
