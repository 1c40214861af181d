#include "services/routing/watch_streams.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "services/common/keys.h"
#include "services/common/validation.h"

namespace omniroute::routing {
namespace {

int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return v;
}

std::map<std::string, std::string> ToFields(const redis::Reply& kv) {
  std::map<std::string, std::string> f;
  for (size_t i = 0; i + 1 < kv.elements.size(); i += 2) {
    f[kv.elements[i].str] = kv.elements[i + 1].str;
  }
  return f;
}

redis::StreamRecord RecordFrom(const redis::Reply& entry) {
  redis::StreamRecord r;
  r.id_text = entry.elements[0].str;
  r.id = redis::StreamId::Parse(r.id_text).value_or(redis::StreamId{});
  const auto& kv = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) r.fields.emplace_back(kv[i].str, kv[i + 1].str);
  return r;
}

absl::Status Unavailable(const absl::Status& s) { return absl::UnavailableError(s.message()); }

}  // namespace

bool IsStreamId(const std::string& s) {
  auto dash = s.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == s.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != dash && (s[i] < '0' || s[i] > '9')) return false;
  }
  return s.size() <= 41;
}

v1::Offer OfferFromRecord(const redis::StreamRecord& record, const std::string& agent) {
  v1::Offer o;
  o.set_offer_id(record.id_text);
  o.set_agent_id(agent);
  for (const auto& [k, v] : record.fields) {
    if (k == "ix") {
      o.set_interaction_id(v);
    } else if (k == "kind") {
      o.set_rescinded(v == "rescind");
    } else if (k == "queue") {
      o.set_queue(v);
    } else if (k == "ch") {
      o.set_channel(static_cast<v1::Channel>(ToInt(v)));
    } else if (k == "deadline") {
      o.set_deadline_ms(ToInt(v));
    } else if (k == "customer") {
      o.set_customer_id(v);
    } else if (k == "subject") {
      o.set_subject(v);
    } else if (k == "category") {
      o.set_category(v);
    } else if (k == "priority") {
      o.set_priority(static_cast<v1::Priority>(ToInt(v)));
    } else if (k == "esc_from") {
      o.set_escalated_from(v);
    }
  }
  return o;
}

WatchStreams::WatchStreams(Authenticator* auth, redis::Pool* pool, BoundedExecutor* executor,
                           redis::StreamHub* hub, size_t buffer, prometheus::Registry& registry)
    : WatchStreams(auth, pool, executor, hub, buffer,
                   prometheus::BuildGauge()
                       .Name("omniroute_watch_streams")
                       .Help("WatchOffers and WatchEvents streams open on this replica.")
                       .Register(registry)) {}

WatchStreams::WatchStreams(Authenticator* auth, redis::Pool* pool, BoundedExecutor* executor,
                           redis::StreamHub* hub, size_t buffer,
                           prometheus::Family<prometheus::Gauge>& open)
    : auth_(auth),
      pool_(pool),
      executor_(executor),
      hub_(hub),
      buffer_(buffer),
      open_offers_(open.Add({{"service", "routing"}, {"rpc", "WatchOffers"}})),
      open_events_(open.Add({{"service", "routing"}, {"rpc", "WatchEvents"}})) {}

grpc::ServerWriteReactor<v1::Offer>* WatchStreams::WatchOffers(grpc::CallbackServerContext* ctx,
                                                               const v1::WatchOffersRequest* req) {
  return WatchReactor<v1::Offer>::Start(
      executor_, hub_, buffer_, &open_offers_, [this, ctx, req] { return StartOffers(*ctx, *req); },
      [agent = req->agent_id()](const redis::StreamRecord& r) {
        return OfferFromRecord(r, agent);
      });
}

grpc::ServerWriteReactor<v1::Event>* WatchStreams::WatchEvents(grpc::CallbackServerContext* ctx,
                                                               const v1::WatchEventsRequest* req) {
  return WatchReactor<v1::Event>::Start(
      executor_, hub_, buffer_, &open_events_, [this, ctx, req] { return StartEvents(*ctx, *req); },
      EventFromRecord);
}

absl::StatusOr<WatchStart<v1::Offer>> WatchStreams::StartOffers(
    const grpc::CallbackServerContext& ctx, const v1::WatchOffersRequest& req) {
  auto principal = auth_->Authorize(ctx, req.tenant_id(), req.agent_id());
  if (!principal.ok()) return principal.status();
  if (auto st = ValidateExternalId("agent_id", req.agent_id()); !st.ok()) return st;
  WatchStart<v1::Offer> start;
  TenantKeys keys(principal->tenant);
  start.key = keys.AgentOffers(req.agent_id());
  bool resume = !req.after_offer_id().empty();
  if (resume) {
    auto after = redis::StreamId::Parse(req.after_offer_id());
    if (!IsStreamId(req.after_offer_id()) || !after) {
      return absl::InvalidArgumentError("after_offer_id: not an offer id");
    }
    start.after = *after;
  }
  // One round trip: does the agent exist (it logged in once), and, unless resuming, the offers
  // to replay (the still open ones among the last 100), after which new ones follow.
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  std::vector<std::vector<std::string>> first = {{"EXISTS", keys.Agent(req.agent_id())}};
  if (!resume) first.push_back({"XREVRANGE", start.key, "+", "-", "COUNT", "100"});
  auto replies = (*conn)->Pipeline(first);
  if (!replies.ok()) return Unavailable(replies.status());
  // A reply that is not an answer (LOADING after a restart...) is UNAVAILABLE, never "no agent".
  for (const auto& r : *replies) {
    if (auto st = redis::ReplyError(r, "WatchOffers"); !st.ok()) return st;
  }
  if ((*replies)[0].integer == 0) {
    return absl::NotFoundError(
        absl::StrCat("agent_id: no agent '", req.agent_id(),
                     "' in this tenant; log it in with SetAgentState first"));
  }
  if (resume) return start;
  const redis::Reply* recent = &(*replies)[1];
  if (!recent->elements.empty()) {
    start.after = RecordFrom(recent->elements[0]).id;
  }
  // An offer is still open when its interaction is offered to this agent with its deadline.
  std::vector<std::pair<redis::StreamRecord, std::string>> offers;  // and its deadline
  std::vector<std::vector<std::string>> checks;
  for (auto it = recent->elements.rbegin(); it != recent->elements.rend(); ++it) {
    auto f = ToFields(it->elements[1]);
    if (f["kind"] != "offer") continue;
    checks.push_back({"HMGET", keys.Interaction(f["ix"]), "state", "agent", "deadline_ms"});
    offers.emplace_back(RecordFrom(*it), f["deadline"]);
  }
  if (checks.empty()) return start;
  auto states = (*conn)->Pipeline(checks);
  if (!states.ok()) return Unavailable(states.status());
  for (size_t i = 0; i < offers.size(); ++i) {
    auto s = redis::ReplyStrings((*states)[i]);
    if (s.size() == 3 && s[0] == "offered" && s[1] == req.agent_id() && s[2] == offers[i].second) {
      start.first.push_back(OfferFromRecord(offers[i].first, req.agent_id()));
    }
  }
  return start;
}

absl::StatusOr<WatchStart<v1::Event>> WatchStreams::StartEvents(
    const grpc::CallbackServerContext& ctx, const v1::WatchEventsRequest& req) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return principal.status();
  std::string after = req.after_event_id();
  if (after == "0") after = "0-0";
  WatchStart<v1::Event> start;
  start.key = TenantKeys(principal->tenant).Events();
  if (!after.empty()) {
    auto id = redis::StreamId::Parse(after);
    if (!IsStreamId(after) || !id) {
      return absl::InvalidArgumentError("after_event_id: not an event id");
    }
    start.after = *id;
    return start;
  }
  // Only new events: follow after the newest one.
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto last = (*conn)->Command({"XREVRANGE", start.key, "+", "-", "COUNT", "1"});
  if (!last.ok()) return Unavailable(last.status());
  if (auto st = redis::ReplyError(*last, "WatchEvents"); !st.ok()) return st;
  if (!last->elements.empty()) start.after = RecordFrom(last->elements[0]).id;
  return start;
}

}  // namespace omniroute::routing
