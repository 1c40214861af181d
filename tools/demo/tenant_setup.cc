#include "tools/demo/tenant_setup.h"

#include <cstdio>

namespace omniroute::demo {
namespace {

v1::Skill MakeSkill(const std::string& name, int level) {
  v1::Skill s;
  s.set_name(name);
  s.set_proficiency(level);
  return s;
}

bool Fail(const std::string& what, const grpc::Status& st) {
  std::fprintf(stderr, "omniroute-demo: %s: %s (%d)\n", what.c_str(), st.error_message().c_str(),
               static_cast<int>(st.error_code()));
  return false;
}

}  // namespace

const std::vector<QueueSpec>& DemoQueues() {
  static const std::vector<QueueSpec> q = {
      {"voice", {v1::CHANNEL_VOICE}, {{"voice_support", 1}}, 20, 80, 10},
      {"chat", {v1::CHANNEL_CHAT}, {{"chat_support", 1}}, 30, 80, 15},
      {"email", {v1::CHANNEL_EMAIL}, {{"email_support", 1}}, 600, 90, 30},
      {"billing", {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL}, {{"billing", 2}}, 60, 80, 15},
      // Tier-0 self-service: only the bot holds the "bot" skill.
      {kSelfServiceQueue, {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL}, {{"bot", 1}}, 10, 90, 10},
  };
  return q;
}

v1::TenantConfig DemoTenantConfig() {
  v1::TenantConfig config;
  auto* c = &config;
  auto* fraud = c->add_rules();  // urgent everywhere; queue by channel
  fraud->set_name("fraud");
  for (const char* k : {"fraud", "without permission", "stolen"}) fraud->add_keywords(k);
  fraud->set_category("fraud");
  fraud->set_priority(v1::PRIORITY_P1);
  auto* billing = c->add_rules();
  billing->set_name("billing");
  billing->add_channels(v1::CHANNEL_CHAT);
  billing->add_channels(v1::CHANNEL_EMAIL);
  for (const char* k : {"billing", "invoice", "charged", "refund", "bill"})
    billing->add_keywords(k);
  billing->set_category("billing");
  billing->set_priority(v1::PRIORITY_P2);
  *billing->add_required_skills() = MakeSkill("billing", 2);
  billing->set_queue("billing");
  // Password resets are self-service: chat and email go to the bot first (a call goes to the
  // voice agents: the bot queue takes no calls); the bot escalates what it cannot solve to the
  // channel's human queue.
  auto* reset = c->add_rules();
  reset->set_name("password_reset");
  for (const char* k : {"password", "locked out", "passcode"}) reset->add_keywords(k);
  reset->set_category("account_access");
  reset->set_self_service(true);
  c->set_self_service_queue(kSelfServiceQueue);
  // What the intent model's (Banking77) labels mean here, when no rule matched; below 0.5
  // confidence the channel's queue takes the work. Without a model these never apply.
  struct Mapping {
    const char* intent;
    const char* category;
    const char* product_area;
    v1::Priority priority;
  };
  for (const Mapping& m :
       {Mapping{"card_arrival", "card_delivery", "cards", v1::PRIORITY_P3},
        Mapping{"card_delivery_estimate", "card_delivery", "cards", v1::PRIORITY_P3},
        Mapping{"terminate_account", "account_closure", "accounts", v1::PRIORITY_P2},
        Mapping{"lost_or_stolen_card", "fraud", "cards", v1::PRIORITY_P1},
        Mapping{"compromised_card", "fraud", "cards", v1::PRIORITY_P1}}) {
    auto* i = c->add_intents();
    i->set_intent(m.intent);
    i->set_category(m.category);
    i->set_product_area(m.product_area);
    i->set_priority(m.priority);
  }
  c->set_min_confidence(0.5);
  for (auto [channel, queue] :
       {std::pair{v1::CHANNEL_VOICE, "voice"}, std::pair{v1::CHANNEL_CHAT, "chat"},
        std::pair{v1::CHANNEL_EMAIL, "email"}}) {
    auto* cq = c->add_default_queues();
    cq->set_channel(channel);
    cq->set_queue(queue);
  }
  c->set_default_queue("chat");
  c->set_default_priority(v1::PRIORITY_P3);
  return config;
}

bool SetUpTenant(sim::ApiClient& api, const std::string& tenant, const std::string& admin_key) {
  for (const auto& spec : DemoQueues()) {
    v1::PutQueueRequest req;
    req.set_tenant_id(tenant);
    auto* q = req.mutable_queue();
    q->set_name(spec.name);
    for (auto c : spec.channels) q->add_channels(c);
    for (const auto& [name, level] : spec.skills)
      *q->add_required_skills() = MakeSkill(name, level);
    q->set_strategy(v1::STRATEGY_LONGEST_IDLE);
    q->set_sla_threshold_seconds(spec.sla_seconds);
    q->set_sla_target_percent(spec.sla_percent);
    q->set_offer_timeout_seconds(spec.offer_timeout_seconds);
    if (spec.name == "billing") {
      // Bullseye: after 15 s any billing agent (proficiency 1) may take it; after 40 s the
      // chat agents help too.
      auto* lower = q->add_steps();
      lower->set_after_seconds(15);
      *lower->add_lower_proficiency() = MakeSkill("billing", 1);
      auto* widen = q->add_steps();
      widen->set_after_seconds(40);
      widen->add_add_queues("chat");
    }
    v1::PutQueueResponse resp;
    auto st = api.admin().PutQueue(sim::ApiClient::Context(admin_key).get(), req, &resp);
    if (!st.ok()) return Fail("PutQueue " + spec.name, st);
  }

  v1::PutTenantConfigRequest req;
  req.set_tenant_id(tenant);
  *req.mutable_config() = DemoTenantConfig();
  v1::PutTenantConfigResponse resp;
  auto st = api.admin().PutTenantConfig(sim::ApiClient::Context(admin_key).get(), req, &resp);
  if (!st.ok()) return Fail("PutTenantConfig", st);
  return true;
}

}  // namespace omniroute::demo
