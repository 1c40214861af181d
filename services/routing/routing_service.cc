#include "services/routing/routing_service.h"

#include <chrono>
#include <functional>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/grpc/status.h"
#include "services/common/interaction_codec.h"
#include "services/common/keys.h"
#include "services/common/log/log.h"
#include "services/common/tenant_config.h"
#include "services/common/validation.h"

namespace omniroute::routing {
namespace {

using Fields = std::map<std::string, std::string>;

constexpr int kTailBlockMs = 1000;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return v;
}

Fields ToFields(const redis::Reply& kv) {
  Fields f;
  for (size_t i = 0; i + 1 < kv.elements.size(); i += 2)
    f[kv.elements[i].str] = kv.elements[i + 1].str;
  return f;
}

// Follows a Redis stream from after `last_id` until the client goes away or the server
// drains, calling `deliver` for each entry (false = stop).
grpc::Status Tail(grpc::ServerContext* ctx, redis::Pool* pool, const std::atomic<bool>* draining,
                  const std::string& key, std::string last_id,
                  const std::function<bool(const std::string&, const Fields&)>& deliver) {
  auto conn = pool->OpenDedicated(std::chrono::milliseconds(kTailBlockMs + 5000));
  if (!conn.ok()) return ToGrpc(absl::UnavailableError(conn.status().message()));
  while (!ctx->IsCancelled() && !draining->load()) {
    auto r = (*conn)->Command(
        {"XREAD", "COUNT", "200", "BLOCK", std::to_string(kTailBlockMs), "STREAMS", key, last_id});
    if (!r.ok()) return ToGrpc(absl::UnavailableError(r.status().message()));
    if (r->is_error()) return ToGrpc(absl::InternalError(r->str));
    for (const auto& stream : r->elements) {
      if (stream.elements.size() != 2) continue;
      for (const auto& entry : stream.elements[1].elements) {
        if (entry.elements.size() != 2) continue;
        last_id = entry.elements[0].str;
        if (!deliver(last_id, ToFields(entry.elements[1]))) return grpc::Status::OK;
      }
    }
  }
  return grpc::Status::OK;
}

v1::Offer OfferFromFields(const std::string& offer_id, const std::string& agent, const Fields& f) {
  v1::Offer o;
  o.set_offer_id(offer_id);
  o.set_agent_id(agent);
  auto get = [&](const char* k) {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second;
  };
  o.set_interaction_id(get("ix"));
  o.set_rescinded(get("kind") == "rescind");
  o.set_queue(get("queue"));
  o.set_channel(static_cast<v1::Channel>(ToInt(get("ch"))));
  o.set_deadline_ms(ToInt(get("deadline")));
  o.set_customer_id(get("customer"));
  o.set_subject(get("subject"));
  o.set_category(get("category"));
  o.set_priority(static_cast<v1::Priority>(ToInt(get("priority"))));
  o.set_escalated_from(get("esc_from"));
  return o;
}

}  // namespace

bool IsStreamId(const std::string& s) {
  auto dash = s.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == s.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != dash && (s[i] < '0' || s[i] > '9')) return false;
  }
  return s.size() <= 41;
}

grpc::Status RoutingService::SetAgentState(grpc::ServerContext* ctx,
                                           const v1::SetAgentStateRequest* req,
                                           v1::SetAgentStateResponse* resp) {
  auto principal = auth_->Authorize(*ctx, {Role::kAgent, Role::kAdmin}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req->agent_id()); !st.ok()) return ToGrpc(st);
  AgentUpdate u;
  u.agent_id = req->agent_id();
  switch (req->state()) {
    case v1::AGENT_STATE_OFFLINE:
      u.state = "offline";
      break;
    case v1::AGENT_STATE_AVAILABLE:
      u.state = "available";
      break;
    case v1::AGENT_STATE_AWAY:
      u.state = "away";
      break;
    default:
      return ToGrpc(absl::InvalidArgumentError("state: is required"));
  }
  if (req->skills_size() > 64) return ToGrpc(absl::InvalidArgumentError("skills: more than 64"));
  for (int i = 0; i < req->skills_size(); ++i) {
    const auto& s = req->skills(i);
    if (auto st = ValidateName(absl::StrCat("skills[", i, "].name"), s.name()); !st.ok()) {
      return ToGrpc(st);
    }
    if (s.proficiency() < 1 || s.proficiency() > 5) {
      return ToGrpc(
          absl::InvalidArgumentError(absl::StrCat("skills[", i, "].proficiency: must be 1..5")));
    }
    u.skills[s.name()] = s.proficiency();
  }
  if (auto st = ValidateCapacities("capacities", req->capacities()); !st.ok()) return ToGrpc(st);
  for (const auto& c : req->capacities()) u.capacity[c.channel()] = c.max();
  if (!req->capacity_profile().empty()) {
    if (auto st = ValidateName("capacity_profile", req->capacity_profile()); !st.ok()) {
      return ToGrpc(st);
    }
    if (req->capacities_size() > 0) {
      return ToGrpc(absl::InvalidArgumentError(
          "capacity_profile: give either capacities or a capacity profile, not both"));
    }
    u.capacity_profile = req->capacity_profile();
  }
  auto queues = engine_->SetAgentState(principal->tenant, u);
  if (!queues.ok()) return ToGrpc(queues.status());
  for (auto& q : *queues) resp->add_eligible_queues(q);
  return grpc::Status::OK;
}

grpc::Status RoutingService::WatchOffers(grpc::ServerContext* ctx,
                                         const v1::WatchOffersRequest* req,
                                         grpc::ServerWriter<v1::Offer>* writer) {
  auto principal = auth_->Authorize(*ctx, {Role::kAgent}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req->agent_id()); !st.ok()) return ToGrpc(st);
  if (!req->after_offer_id().empty() && !IsStreamId(req->after_offer_id())) {
    return ToGrpc(absl::InvalidArgumentError("after_offer_id: not an offer id"));
  }
  TenantKeys keys(principal->tenant);
  std::string key = keys.AgentOffers(req->agent_id());
  std::string start = req->after_offer_id();
  if (start.empty()) {
    // Replay the offers still open for this agent, then follow new ones.
    auto conn = pool_->Acquire();
    if (!conn.ok()) return ToGrpc(absl::UnavailableError(conn.status().message()));
    auto recent = (*conn)->Command({"XREVRANGE", key, "+", "-", "COUNT", "100"});
    if (!recent.ok()) return ToGrpc(absl::UnavailableError(recent.status().message()));
    start = recent->elements.empty() ? "0-0" : recent->elements[0].elements[0].str;
    std::vector<std::pair<std::string, Fields>> offers;
    std::vector<std::vector<std::string>> checks;
    for (auto it = recent->elements.rbegin(); it != recent->elements.rend(); ++it) {
      Fields f = ToFields(it->elements[1]);
      if (f["kind"] != "offer") continue;
      checks.push_back({"HMGET", keys.Interaction(f["ix"]), "state", "agent", "deadline_ms"});
      offers.emplace_back(it->elements[0].str, std::move(f));
    }
    if (!checks.empty()) {
      auto states = (*conn)->Pipeline(checks);
      if (!states.ok()) return ToGrpc(absl::UnavailableError(states.status().message()));
      for (size_t i = 0; i < offers.size(); ++i) {
        auto s = redis::ReplyStrings((*states)[i]);
        if (s.size() == 3 && s[0] == "offered" && s[1] == req->agent_id() &&
            s[2] == offers[i].second["deadline"]) {
          if (!writer->Write(OfferFromFields(offers[i].first, req->agent_id(), offers[i].second))) {
            return grpc::Status::OK;
          }
        }
      }
    }
  }
  return Tail(ctx, pool_, draining_, key, start, [&](const std::string& id, const Fields& f) {
    return writer->Write(OfferFromFields(id, req->agent_id(), f));
  });
}

grpc::Status RoutingService::AcceptOffer(grpc::ServerContext* ctx,
                                         const v1::AcceptOfferRequest* req,
                                         v1::AcceptOfferResponse* resp) {
  auto principal = auth_->Authorize(*ctx, {Role::kAgent}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req->agent_id()); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateInteractionId("interaction_id", req->interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  auto started = std::chrono::steady_clock::now();
  auto r = engine_->Accept(principal->tenant, req->agent_id(), req->interaction_id());
  metrics_->ObserveDecision("accept", SecondsSince(started));
  if (!r.ok()) return ToGrpc(r.status());
  metrics_->Offer(principal->tenant, "accepted");
  metrics_->Accepted(principal->tenant, r->queue, r->wait_ms, r->sla_threshold_ms);
  *resp->mutable_interaction() = InteractionFromHash(principal->tenant, r->interaction_fields);
  log::Info("accepted", {{"interaction_id", req->interaction_id()}, {"agent", req->agent_id()}});
  return grpc::Status::OK;
}

grpc::Status RoutingService::RejectOffer(grpc::ServerContext* ctx,
                                         const v1::RejectOfferRequest* req,
                                         v1::RejectOfferResponse* resp) {
  auto principal = auth_->Authorize(*ctx, {Role::kAgent}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req->agent_id()); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateInteractionId("interaction_id", req->interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (auto st = ValidateText("reason", req->reason(), 256); !st.ok()) return ToGrpc(st);
  auto started = std::chrono::steady_clock::now();
  auto st = engine_->Reject(principal->tenant, req->agent_id(), req->interaction_id(),
                            req->reason().empty() ? "declined" : req->reason());
  metrics_->ObserveDecision("reject", SecondsSince(started));
  if (!st.ok()) return ToGrpc(st);
  metrics_->Offer(principal->tenant, "rejected");
  return grpc::Status::OK;
}

grpc::Status RoutingService::TransferInteraction(grpc::ServerContext* ctx,
                                                 const v1::TransferInteractionRequest* req,
                                                 v1::TransferInteractionResponse* resp) {
  auto principal = auth_->Authorize(*ctx, {Role::kAgent, Role::kSupervisor}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req->agent_id()); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateInteractionId("interaction_id", req->interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (!req->target_queue().empty()) {
    if (auto st = ValidateName("target_queue", req->target_queue()); !st.ok()) return ToGrpc(st);
    auto q = engine_->GetQueue(principal->tenant, req->target_queue());
    if (!q.ok()) {
      return ToGrpc(q.status().code() == absl::StatusCode::kNotFound
                        ? absl::InvalidArgumentError(absl::StrCat("target_queue: no queue named '",
                                                                  req->target_queue(), "'"))
                        : q.status());
    }
  }
  if (!req->target_agent_id().empty()) {
    if (auto st = ValidateExternalId("target_agent_id", req->target_agent_id()); !st.ok()) {
      return ToGrpc(st);
    }
  }
  auto result = engine_->Transfer(principal->tenant, req->agent_id(), req->interaction_id(),
                                  req->target_queue(), req->target_agent_id());
  if (!result.ok()) return ToGrpc(result.status());
  if (result->rfind("rejected:", 0) == 0) {
    resp->set_state(v1::INTERACTION_STATE_REJECTED);
    resp->set_end_reason(result->substr(9));
  } else {
    resp->set_state(v1::INTERACTION_STATE_QUEUED);
  }
  log::Info("transferred", {{"interaction_id", req->interaction_id()}, {"agent", req->agent_id()}});
  return grpc::Status::OK;
}

grpc::Status RoutingService::CompleteInteraction(grpc::ServerContext* ctx,
                                                 const v1::CompleteInteractionRequest* req,
                                                 v1::CompleteInteractionResponse* resp) {
  auto principal = auth_->Authorize(*ctx, {Role::kAgent}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateExternalId("agent_id", req->agent_id()); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateInteractionId("interaction_id", req->interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  auto started = std::chrono::steady_clock::now();
  auto done = engine_->Complete(principal->tenant, req->agent_id(), req->interaction_id());
  metrics_->ObserveDecision("complete", SecondsSince(started));
  if (!done.ok()) return ToGrpc(done.status());
  metrics_->completed.Add({{"tenant", principal->tenant}}).Increment();
  metrics_->Completed(principal->tenant, done->queue, done->handle_ms, done->wrap_up_ms);
  if (done->deflected) metrics_->SelfService(principal->tenant, "deflected");
  return grpc::Status::OK;
}

grpc::Status RoutingService::EscalateInteraction(grpc::ServerContext* ctx,
                                                 const v1::EscalateInteractionRequest* req,
                                                 v1::EscalateInteractionResponse* resp) {
  // A bot (role agent) escalates what it holds; the integrator's platform may escalate work
  // still waiting in the self-service queue (no agent_id).
  auto principal = auth_->Authorize(*ctx, {Role::kAgent, Role::kIntegrator}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (!req->agent_id().empty()) {
    if (auto st = ValidateExternalId("agent_id", req->agent_id()); !st.ok()) return ToGrpc(st);
  }
  if (auto st = ValidateInteractionId("interaction_id", req->interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (auto st = ValidateText("reason", req->reason(), 256); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateAttributes(req->context(), "context"); !st.ok()) return ToGrpc(st);
  std::map<std::string, std::string> context(req->context().begin(), req->context().end());
  auto result = engine_->Escalate(principal->tenant, req->agent_id(), req->interaction_id(),
                                  req->reason(), context);
  if (!result.ok()) return ToGrpc(result.status());
  resp->set_queue(result->queue);
  if (result->outcome.rfind("rejected:", 0) == 0) {
    resp->set_state(v1::INTERACTION_STATE_REJECTED);
    resp->set_end_reason(result->outcome.substr(9));
  } else {
    resp->set_state(v1::INTERACTION_STATE_QUEUED);
  }
  metrics_->SelfService(principal->tenant, "escalated");
  log::Info("escalated", {{"interaction_id", req->interaction_id()},
                          {"agent", req->agent_id()},
                          {"queue", result->queue}});
  return grpc::Status::OK;
}

grpc::Status RoutingService::SetPriority(grpc::ServerContext* ctx,
                                         const v1::SetPriorityRequest* req,
                                         v1::SetPriorityResponse* resp) {
  auto principal = auth_->Authorize(*ctx, {Role::kIntegrator, Role::kSupervisor, Role::kAdmin},
                                    req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateInteractionId("interaction_id", req->interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (req->priority() < v1::PRIORITY_P1 || req->priority() > v1::PRIORITY_P4) {
    return ToGrpc(absl::InvalidArgumentError("priority: must be PRIORITY_P1..PRIORITY_P4"));
  }
  auto previous = engine_->SetPriority(principal->tenant, req->interaction_id(), req->priority());
  if (!previous.ok()) return ToGrpc(previous.status());
  resp->set_previous(static_cast<v1::Priority>(*previous));
  log::Info("reprioritized", {{"interaction_id", req->interaction_id()},
                              {"priority", std::to_string(req->priority())}});
  return grpc::Status::OK;
}

grpc::Status RoutingService::GetQueueStats(grpc::ServerContext* ctx,
                                           const v1::GetQueueStatsRequest* req,
                                           v1::GetQueueStatsResponse* resp) {
  auto principal =
      auth_->Authorize(*ctx, {Role::kAgent, Role::kSupervisor, Role::kAdmin}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateName("queue", req->queue()); !st.ok()) return ToGrpc(st);
  auto stats = engine_->QueueStats(principal->tenant, req->queue());
  if (!stats.ok()) {
    return ToGrpc(
        stats.status().code() == absl::StatusCode::kNotFound
            ? absl::NotFoundError(absl::StrCat("queue: no queue named '", req->queue(), "'"))
            : stats.status());
  }
  *resp = std::move(*stats);
  return grpc::Status::OK;
}

grpc::Status RoutingService::ExplainRouting(grpc::ServerContext* ctx,
                                            const v1::ExplainRoutingRequest* req,
                                            v1::ExplainRoutingResponse* resp) {
  auto principal = auth_->Authorize(*ctx, {Role::kSupervisor, Role::kAdmin, Role::kIntegrator},
                                    req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateInteractionId("interaction_id", req->interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  auto out = engine_->Explain(principal->tenant, req->interaction_id());
  if (!out.ok()) return ToGrpc(out.status());
  *resp = std::move(*out);
  return grpc::Status::OK;
}

grpc::Status RoutingService::WatchEvents(grpc::ServerContext* ctx,
                                         const v1::WatchEventsRequest* req,
                                         grpc::ServerWriter<v1::Event>* writer) {
  auto principal = auth_->Authorize(
      *ctx, {Role::kSupervisor, Role::kAdmin, Role::kIntegrator, Role::kAgent}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  std::string start = req->after_event_id();
  if (start == "0") start = "0-0";
  if (!start.empty() && !IsStreamId(start)) {
    return ToGrpc(absl::InvalidArgumentError("after_event_id: not an event id"));
  }
  std::string key = TenantKeys(principal->tenant).Events();
  if (start.empty()) {
    auto conn = pool_->Acquire();
    if (!conn.ok()) return ToGrpc(absl::UnavailableError(conn.status().message()));
    auto last = (*conn)->Command({"XREVRANGE", key, "+", "-", "COUNT", "1"});
    if (!last.ok()) return ToGrpc(absl::UnavailableError(last.status().message()));
    start = last->elements.empty() ? "0-0" : last->elements[0].elements[0].str;
  }
  return Tail(ctx, pool_, draining_, key, start, [&](const std::string& id, const Fields& f) {
    v1::Event e;
    e.set_event_id(id);
    for (const auto& [k, v] : f) {
      if (k == "type") {
        e.set_type(v);
      } else if (k == "ix") {
        e.set_interaction_id(v);
      } else if (k == "agent") {
        e.set_agent_id(v);
      } else if (k == "queue") {
        e.set_queue(v);
      } else if (k == "ch") {
        e.set_channel(static_cast<v1::Channel>(ToInt(v)));
      } else if (k == "at") {
        e.set_at_ms(ToInt(v));
      } else {
        (*e.mutable_detail())[k] = v;
      }
    }
    return writer->Write(e);
  });
}

}  // namespace omniroute::routing
