// The supervisor views of RoutingEngine: agents (GetAgent, ListAgents) and waiting work
// (ListWaiting). Reads only, O(page): the agents come from the paging indexes agent_state.lua
// keeps (P:agx:<state>, P:qm:<q>:<state>), each agent and its work from routing/agent_view.lua
// (its offer stream, read back until its load is accounted for), the waiting work from
// routing/list_waiting.lua.
#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/event_record.h"
#include "services/common/interaction_codec.h"
#include "services/routing/engine_util.h"
#include "services/routing/gauges.h"
#include "services/routing/routing_engine.h"

namespace omniroute::routing {

using internal::ToInt;
using internal::Unavailable;

namespace {

v1::AgentState AgentStateFromName(const std::string& s) {
  if (s == "available") return v1::AGENT_STATE_AVAILABLE;
  if (s == "away") return v1::AGENT_STATE_AWAY;
  if (s == "offline") return v1::AGENT_STATE_OFFLINE;
  return v1::AGENT_STATE_UNSPECIFIED;
}

// The channel a hash field names ("2" of cap:2), 0 when it names none.
int ChannelOf(const std::string& ch) {
  int n = 0;
  return absl::SimpleAtoi(ch, &n) && n > 0 && v1::Channel_IsValid(n) ? n : 0;
}

// An agent's view from its hash (HGETALL fields), its work aside.
v1::AgentView ViewFromHash(const std::string& id, const std::vector<std::string>& fields,
                           const std::set<std::string>& exclusive) {
  v1::AgentView v;
  v.set_agent_id(id);
  AgentSlots slots = ParseAgentSlots(fields);
  v.set_state(AgentStateFromName(slots.state));
  std::map<std::string, int64_t> skills;
  std::string rqs;
  int64_t idle_ms = 0;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& k = fields[i];
    const std::string& value = fields[i + 1];
    if (absl::StartsWith(k, "sk:")) {
      skills[k.substr(3)] = ToInt(value);
    } else if (k == "rqs") {
      rqs = value;
    } else if (k == "away_reason" && v.state() == v1::AGENT_STATE_AWAY) {
      v.set_away_reason(value);
    } else if (k == "idle_ms") {
      idle_ms = ToInt(value);
    } else if (k == "profile") {
      v.set_capacity_profile(value);
    } else if (k == "missed") {
      v.set_missed_offers(static_cast<int32_t>(ToInt(value)));
    }
  }
  std::map<int, std::string> channels;  // by number
  for (const auto& [ch, n] : slots.cap) channels[ChannelOf(ch)] = ch;
  for (const auto& [ch, n] : slots.load) channels[ChannelOf(ch)] = ch;
  channels.erase(0);
  int64_t held = 0;
  for (const auto& [number, ch] : channels) {
    int64_t cap = slots.cap.count(ch) ? slots.cap.at(ch) : 0;
    int64_t load = slots.load.count(ch) ? slots.load.at(ch) : 0;
    auto* c = v.add_channels();
    c->set_channel(static_cast<v1::Channel>(number));
    c->set_capacity(static_cast<int32_t>(cap));
    c->set_load(static_cast<int32_t>(load));
    c->set_blocked(
        static_cast<int32_t>(slots.Blocked(ch, exclusive) ? std::max<int64_t>(0, cap - load) : 0));
    held += load;
  }
  v.set_idle_since_ms(held == 0 ? idle_ms : 0);
  for (const auto& [name, proficiency] : skills) {
    auto* s = v.add_skills();
    s->set_name(name);
    s->set_proficiency(static_cast<int32_t>(proficiency));
  }
  if (v.state() != v1::AGENT_STATE_OFFLINE) {  // a logged-out agent serves no queue
    std::set<std::string> queues;
    for (absl::string_view rq : absl::StrSplit(rqs, ',', absl::SkipEmpty())) {
      if (!absl::StrContains(rq, '#')) queues.insert(std::string(rq));  // step queues aside
    }
    for (const auto& q : queues) v.add_eligible_queues(q);
  }
  return v;
}

bool HasState(const std::vector<std::string>& fields) {
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i] == "state") return true;
  }
  return false;
}

// One piece of work from HMGET state agent channel queue offered_ms assigned_ms ended_ms;
// false when the agent no longer holds it.
bool WorkFromFields(const std::string& id, std::vector<std::string> f, const std::string& agent,
                    v1::AgentWork* w) {
  f.resize(7);
  if (f[1] != agent) return false;
  w->set_interaction_id(id);
  w->set_state(StateFromName(f[0]));
  switch (w->state()) {
    case v1::INTERACTION_STATE_OFFERED:
      w->set_since_ms(ToInt(f[4]));
      break;
    case v1::INTERACTION_STATE_ASSIGNED:
      w->set_since_ms(ToInt(f[5]));
      break;
    case v1::INTERACTION_STATE_COMPLETED:  // its wrap-up holds the slot
      w->set_wrap_up(true);
      w->set_since_ms(ToInt(f[6]));
      break;
    default:
      return false;
  }
  w->set_channel(static_cast<v1::Channel>(ChannelOf(f[2])));
  w->set_queue(f[3]);
  return true;
}

}  // namespace

absl::StatusOr<std::vector<v1::AgentView>> RoutingEngine::ReadAgentViews(
    const std::string& tenant, const std::vector<std::string>& ids) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  std::vector<std::vector<std::string>> cmds = {{"HGET", keys.Config(), "exclusive"}};
  for (const auto& id : ids) {
    cmds.push_back(scripts_->Command("routing/agent_view", {keys.Agent(id), keys.AgentOffers(id)},
                                     {keys.prefix(), id}));
  }
  auto r = (*conn)->Pipeline(cmds);
  if (!r.ok()) return Unavailable(r.status());
  if (auto st = scripts_->FixNoScript(**conn, cmds, *r); !st.ok()) return st;
  auto exclusive = ExclusiveChannels((*r)[0]);
  std::vector<v1::AgentView> views;
  constexpr size_t kWorkFields = 8;  // id, then WorkFromFields' fields
  for (size_t i = 0; i < ids.size(); ++i) {
    const redis::Reply& reply = (*r)[1 + i];
    if (auto st = redis::ReplyError(reply, "routing/agent_view"); !st.ok()) return st;
    if (reply.elements.size() != 2) return absl::InternalError("routing/agent_view: bad reply");
    auto fields = redis::ReplyStrings(reply.elements[0]);
    if (!HasState(fields)) continue;  // never logged in
    views.push_back(ViewFromHash(ids[i], fields, exclusive));
    auto work = redis::ReplyStrings(reply.elements[1]);
    for (size_t k = 0; k + kWorkFields <= work.size(); k += kWorkFields) {
      v1::AgentWork w;
      std::vector<std::string> f(work.begin() + k + 1, work.begin() + k + kWorkFields);
      if (WorkFromFields(work[k], std::move(f), ids[i], &w)) {
        *views.back().add_work() = std::move(w);
      }
    }
  }
  return views;
}

absl::StatusOr<v1::AgentView> RoutingEngine::GetAgent(const std::string& tenant,
                                                      const std::string& agent) {
  auto views = ReadAgentViews(tenant, {agent});
  if (!views.ok()) return views.status();
  if (views->empty()) {
    return absl::NotFoundError(
        absl::StrCat("agent_id: no agent '", agent, "' (it never logged in)"));
  }
  return std::move(views->front());
}

absl::StatusOr<v1::ListAgentsResponse> RoutingEngine::ListAgents(const std::string& tenant,
                                                                 const AgentQuery& query) {
  TenantKeys keys(tenant);
  std::vector<std::string> states = {"offline", "available", "away"};
  if (!query.state.empty()) states = {query.state};
  if (!query.queue.empty()) {  // an offline agent serves no queue
    states.erase(std::remove(states.begin(), states.end(), "offline"), states.end());
  }
  std::vector<std::vector<std::string>> cmds = {{"SISMEMBER", keys.Queues(), query.queue}};
  for (const auto& s : states) {
    cmds.push_back({"ZRANGE",
                    query.queue.empty() ? keys.AgentList(s) : keys.QueueMembers(query.queue, s),
                    query.after.empty() ? "-" : absl::StrCat("(", query.after), "+", "BYLEX",
                    "LIMIT", "0", std::to_string(query.page_size + 1)});
  }
  std::set<std::string> ids;  // the heads of the indexes read, merged in id order
  {
    auto conn = pool_->Acquire();
    if (!conn.ok()) return Unavailable(conn.status());
    auto r = (*conn)->Pipeline(cmds);
    if (!r.ok()) return Unavailable(r.status());
    if (!query.queue.empty() && (*r)[0].integer == 0) {
      return absl::NotFoundError(absl::StrCat("queue: no queue named '", query.queue, "'"));
    }
    for (size_t i = 1; i < r->size(); ++i) {
      for (auto& id : redis::ReplyStrings((*r)[i])) ids.insert(std::move(id));
    }
  }
  std::vector<std::string> page(ids.begin(), ids.end());
  v1::ListAgentsResponse out;
  if (page.size() > static_cast<size_t>(query.page_size)) {
    page.resize(query.page_size);
    out.set_next_page_token(AgentPageToken(page.back()));
  }
  auto views = ReadAgentViews(tenant, page);
  if (!views.ok()) return views.status();
  for (auto& v : *views) *out.add_agents() = std::move(v);
  return out;
}

absl::StatusOr<v1::ListWaitingResponse> RoutingEngine::ListWaiting(const std::string& tenant,
                                                                   const WaitingQuery& query) {
  TenantKeys keys(tenant);
  const WaitingCursor none;
  const WaitingCursor& after = query.after ? *query.after : none;
  auto reply = RunCommand(scripts_->Command(
      "routing/list_waiting", {keys.QueueConfig(query.queue)},
      {keys.prefix(), query.queue, query.channel == 0 ? "" : std::to_string(query.channel),
       std::to_string(query.page_size), query.after ? std::to_string(after.channel) : "",
       after.score, after.interaction_id}));
  if (!reply.ok()) return reply.status();
  if (auto st = redis::ReplyError(*reply, "routing/list_waiting"); !st.ok()) return st;
  auto parts = redis::ReplyStrings(*reply);
  if (!parts.empty() && parts[0] == "not_found") {
    return absl::NotFoundError(absl::StrCat("queue: no queue named '", query.queue, "'"));
  }
  if (!parts.empty() && parts[0] == "no_channel") {
    return absl::InvalidArgumentError(
        absl::StrCat("channel: queue '", query.queue, "' does not take ",
                     v1::Channel_Name(static_cast<v1::Channel>(query.channel))));
  }
  constexpr size_t kItemFields = 7;
  if (parts.size() < 4 || parts[0] != "ok" || (parts.size() - 4) % kItemFields != 0) {
    return absl::InternalError("routing/list_waiting: unexpected reply");
  }
  v1::ListWaitingResponse out;
  out.set_total_waiting(ToInt(parts[1]));
  out.set_reserved(std::max<int64_t>(0, ToInt(parts[1]) - ToInt(parts[2])));
  int64_t now = clock_->NowMs();
  for (size_t i = 4; i + kItemFields <= parts.size(); i += kItemFields) {
    auto* item = out.add_items();
    item->set_interaction_id(parts[i]);
    item->set_channel(static_cast<v1::Channel>(ChannelOf(parts[i + 1])));
    item->set_position(ToInt(parts[i + 2]));
    int priority = static_cast<int>(ToInt(parts[i + 4]));
    item->set_priority(v1::Priority_IsValid(priority) ? static_cast<v1::Priority>(priority)
                                                      : v1::PRIORITY_UNSPECIFIED);
    item->set_step(static_cast<int32_t>(ToInt(parts[i + 5])));
    item->set_enqueued_at_ms(ToInt(parts[i + 6]));
    item->set_wait_ms(std::max<int64_t>(0, now - item->enqueued_at_ms()));
  }
  if (parts[3] == "1" && out.items_size() > 0) {
    size_t last = parts.size() - kItemFields;
    out.set_next_page_token(
        WaitingPageToken({ChannelOf(parts[last + 1]), parts[last + 3], parts[last]}));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Event>> RoutingEngine::ReadFeed(const std::string& tenant,
                                                               const std::string& from, int count,
                                                               std::string* trimmed) {
  TenantKeys keys(tenant);
  std::vector<std::vector<std::string>> cmds = {
      {"XRANGE", keys.Events(), from, "+", "COUNT", std::to_string(count)}};
  if (trimmed != nullptr) cmds.push_back({"XINFO", "STREAM", keys.Events()});
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  if (auto st = redis::ReplyError((*replies)[0], "XRANGE"); !st.ok()) return st;
  // Each entry: [id, [field, value, ...]].
  auto records = [](const redis::Reply& reply) {
    std::vector<redis::StreamRecord> out;
    for (const auto& e : reply.elements) {
      if (e.elements.size() < 2) continue;
      redis::StreamRecord rec;
      rec.id_text = e.elements[0].str;
      rec.id = redis::StreamId::Parse(rec.id_text).value_or(redis::StreamId{});
      const auto& f = e.elements[1].elements;
      for (size_t i = 0; i + 1 < f.size(); i += 2) rec.fields.push_back({f[i].str, f[i + 1].str});
      out.push_back(std::move(rec));
    }
    return out;
  };
  std::vector<v1::Event> events;
  for (const auto& rec : records((*replies)[0])) events.push_back(EventFromRecord(rec));
  if (trimmed != nullptr) {
    // A feed never written has no stream (an error reply): nothing was deleted from it.
    *trimmed = "0-0";
    const auto& info = (*replies)[1].elements;
    for (size_t i = 0; i + 1 < info.size(); i += 2) {
      if (info[i].str == "max-deleted-entry-id") *trimmed = info[i + 1].str;
    }
  }
  return events;
}

}  // namespace omniroute::routing
