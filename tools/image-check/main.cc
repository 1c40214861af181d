// omniroute-image-check: routes one interaction end to end through running intake,
// classification and routing servers, checking every step, and prints what happened. It is the
// client of deploy/docker/image-test.sh (the container images proven), and works against any
// deployment reachable over plaintext gRPC.
//
//   omniroute-image-check --api-key K [--tenant image-test] [--intake 127.0.0.1:7101]
//       [--classification 127.0.0.1:7102] [--routing 127.0.0.1:7103] [--timeout-seconds 60]
//
// The key needs the roles admin, integrator and agent. With them it writes two chat queues and
// the tenant config (a rule sends "invoice" to the billing queue; the tenant's default is the
// other queue, so the queue shows that classification applied the rule), logs an agent in,
// submits an interaction (Intake), waits for its offer (WatchOffers), checks it is OFFERED,
// classified by the rule, to that agent (GetInteraction), accepts it (ASSIGNED), completes it
// (COMPLETED) and logs the agent out. It overwrites the tenant's config: use a tenant of its own.
// Exit 0 when every step held, 1 when one did not (naming the step), 2 on bad flags. Every flag
// also reads OMNIROUTE_<NAME> (OMNIROUTE_API_KEY keeps the key out of ps).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/config/flags.h"
#include "tools/sim/api_client.h"

namespace omniroute::image_check {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kBillingQueue[] = "image-test-billing";
constexpr char kGeneralQueue[] = "image-test-general";
constexpr char kRule[] = "image-test-invoice";

// "COMPLETED" for INTERACTION_STATE_COMPLETED, "P2" for PRIORITY_P2.
std::string Name(v1::InteractionState s) {
  return std::string(absl::StripPrefix(v1::InteractionState_Name(s), "INTERACTION_STATE_"));
}
std::string Name(v1::Priority p) {
  return std::string(absl::StripPrefix(v1::Priority_Name(p), "PRIORITY_"));
}

struct Options {
  std::string intake = "127.0.0.1:7101";
  std::string classification = "127.0.0.1:7102";
  std::string routing = "127.0.0.1:7103";
  std::string tenant = "image-test";
  std::string api_key;
  int timeout_seconds = 60;
};

// One run: the API, the key, and the overall deadline every call is bounded by.
class Check {
 public:
  Check(const Options& o, Clock::time_point deadline)
      : api_({o.intake, o.classification, o.routing}),
        key_(o.api_key),
        tenant_(o.tenant),
        deadline_(deadline),
        agent_(absl::StrCat("image-test-agent-", NowMs())) {}

  int Run();

 private:
  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // A call context with the key, due at the run's deadline (at least 1 s from now).
  std::unique_ptr<grpc::ClientContext> Ctx() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    return sim::ApiClient::Context(key_, std::max(left, std::chrono::milliseconds(1000)));
  }
  bool Ok(const char* step, const grpc::Status& st) const {
    if (st.ok()) return true;
    std::fprintf(stderr, "omniroute-image-check: %s failed: %s (gRPC code %d)\n", step,
                 st.error_message().c_str(), static_cast<int>(st.error_code()));
    return false;
  }
  static bool Fail(const std::string& what) {
    std::fprintf(stderr, "omniroute-image-check: %s\n", what.c_str());
    return false;
  }
  bool SetUpTenant();
  bool LogIn();
  bool Get(const char* step, v1::Interaction* out);
  // GetInteraction, then checks its state and agent.
  bool Expect(const char* step, v1::InteractionState state, v1::Interaction* out);

  sim::ApiClient api_;
  std::string key_, tenant_;
  Clock::time_point deadline_;
  std::string agent_;
  std::string id_;
};

bool Check::SetUpTenant() {
  for (const char* name : {kGeneralQueue, kBillingQueue}) {
    v1::PutQueueRequest req;
    req.set_tenant_id(tenant_);
    auto* q = req.mutable_queue();
    q->set_name(name);
    q->add_channels(v1::CHANNEL_CHAT);
    auto* skill = q->add_required_skills();
    skill->set_name(name == std::string(kBillingQueue) ? "billing" : "support");
    skill->set_proficiency(1);
    q->set_strategy(v1::STRATEGY_LONGEST_IDLE);
    q->set_sla_threshold_seconds(30);
    q->set_sla_target_percent(80);
    q->set_offer_timeout_seconds(120);
    v1::PutQueueResponse resp;
    if (!Ok("Admin.PutQueue", api_.admin().PutQueue(Ctx().get(), req, &resp))) return false;
  }
  v1::PutTenantConfigRequest req;
  req.set_tenant_id(tenant_);
  auto* c = req.mutable_config();
  auto* rule = c->add_rules();
  rule->set_name(kRule);
  rule->add_keywords("invoice");
  rule->set_category("billing");
  rule->set_priority(v1::PRIORITY_P2);
  rule->set_queue(kBillingQueue);
  (*c->mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = kGeneralQueue;
  c->set_default_queue(kGeneralQueue);
  v1::PutTenantConfigResponse resp;
  return Ok("Admin.PutTenantConfig", api_.admin().PutTenantConfig(Ctx().get(), req, &resp));
}

bool Check::LogIn() {
  v1::SetAgentStateRequest req;
  req.set_tenant_id(tenant_);
  req.set_agent_id(agent_);
  req.set_state(v1::AGENT_STATE_AVAILABLE);
  for (const char* name : {"support", "billing"}) {
    auto* s = req.add_skills();
    s->set_name(name);
    s->set_proficiency(1);
  }
  auto* cap = req.add_capacities();
  cap->set_channel(v1::CHANNEL_CHAT);
  cap->set_max(1);
  v1::SetAgentStateResponse resp;
  if (!Ok("Routing.SetAgentState (log in)", api_.routing().SetAgentState(Ctx().get(), req, &resp)))
    return false;
  for (const auto& q : resp.eligible_queues()) {
    if (q == kBillingQueue) return true;
  }
  return Fail(absl::StrCat("agent ", agent_, " logged in but does not serve ", kBillingQueue));
}

bool Check::Get(const char* step, v1::Interaction* out) {
  v1::GetInteractionRequest req;
  req.set_tenant_id(tenant_);
  req.set_interaction_id(id_);
  v1::GetInteractionResponse resp;
  if (!Ok(step, api_.intake().GetInteraction(Ctx().get(), req, &resp))) return false;
  *out = resp.interaction();
  return true;
}

bool Check::Expect(const char* step, v1::InteractionState state, v1::Interaction* out) {
  if (!Get(step, out)) return false;
  if (out->state() != state || out->agent_id() != agent_) {
    return Fail(absl::StrCat(step, ": interaction ", id_, " is ", Name(out->state()),
                             " with agent '", out->agent_id(), "', expected ", Name(state),
                             " with ", agent_));
  }
  return true;
}

int Check::Run() {
  const auto start = Clock::now();
  auto ms_since = [](Clock::time_point t) {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
  };
  if (!SetUpTenant() || !LogIn()) return 1;
  std::printf("tenant %s: queues %s, %s; rule %s (\"invoice\" -> %s); agent %s AVAILABLE\n",
              tenant_.c_str(), kGeneralQueue, kBillingQueue, kRule, kBillingQueue, agent_.c_str());

  // The offer stream is open before the submission (it starts with the open offers anyway).
  auto watch_ctx = Ctx();
  v1::WatchOffersRequest watch;
  watch.set_tenant_id(tenant_);
  watch.set_agent_id(agent_);
  auto offers = api_.routing().WatchOffers(watch_ctx.get(), watch);

  v1::SubmitInteractionRequest sub;
  sub.set_tenant_id(tenant_);
  sub.set_channel(v1::CHANNEL_CHAT);
  sub.set_customer_id("image-test-customer");
  sub.set_subject("Question about my invoice");
  sub.set_body("I was charged twice on my last invoice.");
  sub.set_idempotency_key(absl::StrCat("image-test-", NowMs()));
  v1::SubmitInteractionResponse submitted;
  const auto submit_time = Clock::now();
  if (!Ok("Intake.SubmitInteraction",
          api_.intake().SubmitInteraction(Ctx().get(), sub, &submitted)))
    return 1;
  id_ = submitted.interaction_id();
  std::printf("submitted interaction %s (chat, \"%s\")\n", id_.c_str(),
              std::string(sub.subject()).c_str());

  v1::Offer offer;
  bool offered = false;
  while (!offered && offers->Read(&offer)) {
    offered = offer.interaction_id() == id_ && !offer.rescinded();
  }
  if (!offered) {
    watch_ctx->TryCancel();
    Ok("Routing.WatchOffers", offers->Finish());
    Fail(absl::StrCat("no offer of interaction ", id_, " to ", agent_, " within the deadline"));
    return 1;
  }
  const long long offered_ms = ms_since(submit_time);
  v1::Interaction it;
  if (!Expect("GetInteraction after the offer", v1::INTERACTION_STATE_OFFERED, &it)) return 1;
  const auto& cls = it.classification();
  if (cls.rule() != kRule || cls.queue() != kBillingQueue || offer.queue() != kBillingQueue) {
    Fail(absl::StrCat("interaction ", id_, " was classified by rule '", cls.rule(), "' to queue '",
                      cls.queue(), "' and offered from '", offer.queue(), "', expected rule ",
                      kRule, " and queue ", kBillingQueue));
    return 1;
  }
  std::printf("classified: rule %s -> queue %s, category %s, %s (source %s)\n", cls.rule().c_str(),
              cls.queue().c_str(), cls.category().c_str(), Name(cls.priority()).c_str(),
              cls.source().c_str());
  std::printf("offered to %s (offer %s) %lld ms after submission\n", agent_.c_str(),
              offer.offer_id().c_str(), offered_ms);

  v1::AcceptOfferRequest accept;
  accept.set_tenant_id(tenant_);
  accept.set_agent_id(agent_);
  accept.set_interaction_id(id_);
  v1::AcceptOfferResponse accepted;
  if (!Ok("Routing.AcceptOffer", api_.routing().AcceptOffer(Ctx().get(), accept, &accepted)) ||
      !Expect("GetInteraction after AcceptOffer", v1::INTERACTION_STATE_ASSIGNED, &it))
    return 1;
  v1::CompleteInteractionRequest complete;
  complete.set_tenant_id(tenant_);
  complete.set_agent_id(agent_);
  complete.set_interaction_id(id_);
  v1::CompleteInteractionResponse completed;
  if (!Ok("Routing.CompleteInteraction",
          api_.routing().CompleteInteraction(Ctx().get(), complete, &completed)) ||
      !Expect("GetInteraction after CompleteInteraction", v1::INTERACTION_STATE_COMPLETED, &it))
    return 1;
  std::printf("accepted -> ASSIGNED, completed -> %s\n", Name(it.state()).c_str());

  watch_ctx->TryCancel();
  offers->Finish();
  v1::SetAgentStateRequest out;
  out.set_tenant_id(tenant_);
  out.set_agent_id(agent_);
  out.set_state(v1::AGENT_STATE_OFFLINE);
  v1::SetAgentStateResponse out_resp;
  if (!Ok("Routing.SetAgentState (log out)",
          api_.routing().SetAgentState(Ctx().get(), out, &out_resp)))
    return 1;
  std::printf(
      "routed interaction %s: queue %s, agent %s, final state %s (%lld ms from submission)\n",
      id_.c_str(), it.classification().queue().c_str(), it.agent_id().c_str(),
      Name(it.state()).c_str(), ms_since(submit_time));
  std::printf("check took %lld ms in all\n", ms_since(start));
  return 0;
}

}  // namespace
}  // namespace omniroute::image_check

int main(int argc, char** argv) {
  using namespace omniroute;
  image_check::Options o;
  config::Flags flags("omniroute-image-check");
  flags.Add("intake", &o.intake, "host:port of Intake");
  flags.Add("classification", &o.classification, "host:port of the Classifier");
  flags.Add("routing", &o.routing, "host:port of Routing and Admin");
  flags.Add("tenant", &o.tenant, "tenant to use (its config is overwritten)");
  flags.Add("api-key", &o.api_key, "API key of the tenant with roles admin, integrator, agent");
  flags.Add("timeout-seconds", &o.timeout_seconds, "deadline of the whole check");
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    bool asked = st.code() == absl::StatusCode::kNotFound;  // --help, --version
    std::fprintf(asked ? stdout : stderr, "%s\n", std::string(st.message()).c_str());
    return asked ? 0 : 2;
  }
  if (o.api_key.empty()) {
    std::fprintf(stderr, "omniroute-image-check: --api-key (or OMNIROUTE_API_KEY) is required\n");
    return 2;
  }
  if (o.timeout_seconds < 1) {
    std::fprintf(stderr, "omniroute-image-check: --timeout-seconds must be >= 1\n");
    return 2;
  }
  image_check::Check check(o, image_check::Clock::now() + std::chrono::seconds(o.timeout_seconds));
  return check.Run();
}
