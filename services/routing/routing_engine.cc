#include "services/routing/routing_engine.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/business_hours.h"
#include "services/common/interaction_codec.h"
#include "services/common/keys.h"
#include "services/common/tenant_config.h"

namespace omniroute::routing {
namespace {

absl::Status Unavailable(const absl::Status& st) {
  return absl::UnavailableError(absl::StrCat("redis: ", st.message()));
}

int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return v;
}

}  // namespace

absl::Status TransitionError(const std::vector<std::string>& reply, const std::string& id,
                             const std::string& agent) {
  if (reply.empty()) return absl::InternalError("empty script reply");
  const std::string& what = reply[0];
  if (what == "ok") return absl::OkStatus();
  if (what == "not_found") {
    return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", id));
  }
  if (what == "wrong_agent") {
    return absl::FailedPreconditionError(
        absl::StrCat("agent_id: interaction ", id, " is not offered to or held by ", agent));
  }
  std::string state = reply.size() > 1 ? reply[1] : "unknown";
  if (what == "not_offered") {
    return absl::FailedPreconditionError(
        absl::StrCat("interaction_id: interaction ", id, " has no open offer (state ", state, ")"));
  }
  if (what == "not_assigned") {
    return absl::FailedPreconditionError(
        absl::StrCat("interaction_id: interaction ", id, " is not assigned (state ", state, ")"));
  }
  return absl::InternalError(absl::StrCat("unexpected script reply ", what));
}

absl::StatusOr<std::vector<std::string>> RoutingEngine::RunTransition(
    const std::string& script, const std::vector<std::string>& keys,
    const std::vector<std::string>& args) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto reply = scripts_->Eval(**conn, script, keys, args);
  if (!reply.ok()) {
    return reply.status().code() == absl::StatusCode::kUnavailable ? Unavailable(reply.status())
                                                                   : reply.status();
  }
  return redis::ReplyStrings(*reply);
}

absl::StatusOr<std::vector<EnqueueResult>> RoutingEngine::Enqueue(
    const std::vector<redis::StreamEntry>& batch) {
  std::string now = std::to_string(clock_->NowMs());
  // One script call per tenant and chunk (routing/enqueue.lua): the entries of a tenant, in
  // order, kEnqueueChunk at most, so that no call holds Redis for long.
  std::vector<std::vector<std::string>> cmds;
  std::vector<std::vector<size_t>> members;
  std::map<std::string, size_t> open_cmd;  // tenant -> its command being filled
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& e = batch[i];
    auto it = open_cmd.find(e.tenant);
    if (it == open_cmd.end() || members[it->second].size() >= kEnqueueChunk) {
      TenantKeys keys(e.tenant);
      cmds.push_back(scripts_->Command(
          "routing/enqueue", {keys.ClassifiedStream(), keys.Events()},
          {keys.prefix(), kRoutingGroup, now, std::to_string(options_.event_max_len),
           std::to_string(options_.finished_ttl_seconds)}));
      members.emplace_back();
      it = open_cmd.insert_or_assign(e.tenant, cmds.size() - 1).first;
    }
    cmds[it->second].push_back(e.interaction_id);
    cmds[it->second].push_back(e.entry_id);
    members[it->second].push_back(i);
  }
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  std::vector<EnqueueResult> out(batch.size());
  for (size_t c = 0; c < replies->size(); ++c) {
    const auto& r = (*replies)[c];
    bool ok = !r.is_error() && r.elements.size() == members[c].size();
    for (size_t k = 0; k < members[c].size(); ++k) {
      size_t i = members[c][k];
      out[i] = {batch[i].tenant, ok ? r.elements[k].str : "error"};
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> RoutingEngine::SetAgentState(const std::string& tenant,
                                                                      const AgentUpdate& u) {
  TenantKeys keys(tenant);
  std::string caps;
  if (!u.capacity.empty()) {
    std::map<std::string, int> by_name;
    for (const auto& [ch, max] : u.capacity) by_name[std::to_string(ch)] = max;
    caps = EncodeSkills(by_name);  // the same {"key":int} JSON shape
  }
  auto r = RunTransition("routing/agent_state", {keys.Agent(u.agent_id), keys.Events()},
                         {keys.prefix(), u.agent_id, u.state, std::to_string(clock_->NowMs()),
                          u.skills.empty() ? "" : EncodeSkills(u.skills), caps,
                          std::to_string(options_.event_max_len), u.capacity_profile});
  if (r.ok() && r->size() == 1 && (*r)[0] == "!unknown_profile") {
    return absl::FailedPreconditionError(absl::StrCat(
        "capacity_profile: the tenant config has no profile named '", u.capacity_profile, "'"));
  }
  return r;
}

absl::StatusOr<AcceptResult> RoutingEngine::Accept(const std::string& tenant,
                                                   const std::string& agent,
                                                   const std::string& id) {
  TenantKeys keys(tenant);
  // One round trip: the transition, then the interaction as it left it (read by Redis right
  // after the script, on the same connection).
  std::vector<std::vector<std::string>> cmds = {
      scripts_->Command("routing/accept", {keys.Interaction(id), keys.Events()},
                        {keys.prefix(), id, agent, std::to_string(clock_->NowMs()),
                         std::to_string(options_.event_max_len)}),
      {"HGETALL", keys.Interaction(id)}};
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  bool retried = (*replies)[0].is_error();
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  if (retried && !(*replies)[0].is_error()) {
    auto again = (*conn)->Command(cmds[1]);  // the HGETALL ran before the script did
    if (!again.ok()) return Unavailable(again.status());
    (*replies)[1] = std::move(*again);
  }
  if (auto st = redis::ReplyError((*replies)[0], "routing/accept"); !st.ok()) return st;
  auto r = redis::ReplyStrings((*replies)[0]);
  if (auto st = TransitionError(r, id, agent); !st.ok()) return st;
  AcceptResult out;
  if (r.size() >= 4) {
    out.wait_ms = ToInt(r[1]);
    out.queue = r[2];
    out.sla_threshold_ms = ToInt(r[3]);
  }
  out.interaction_fields = redis::ReplyStrings((*replies)[1]);
  return out;
}

absl::Status RoutingEngine::Reject(const std::string& tenant, const std::string& agent,
                                   const std::string& id, const std::string& reason) {
  TenantKeys keys(tenant);
  auto r = RunTransition(
      "routing/reject", {keys.Interaction(id), keys.Events()},
      {keys.prefix(), id, agent, std::to_string(clock_->NowMs()),
       std::to_string(options_.event_max_len), reason, std::to_string(options_.skip_ms)});
  if (!r.ok()) return r.status();
  return TransitionError(*r, id, agent);
}

absl::StatusOr<std::string> RoutingEngine::Transfer(const std::string& tenant,
                                                    const std::string& agent, const std::string& id,
                                                    const std::string& to_queue,
                                                    const std::string& to_agent) {
  TenantKeys keys(tenant);
  auto r = RunTransition(
      "routing/transfer", {keys.Interaction(id), keys.Events()},
      {keys.prefix(), id, agent, std::to_string(clock_->NowMs()),
       std::to_string(options_.event_max_len), to_queue, to_agent, std::to_string(options_.skip_ms),
       std::to_string(options_.finished_ttl_seconds)});
  if (!r.ok()) return r.status();
  if (auto st = TransitionError(*r, id, agent); !st.ok()) return st;
  return r->size() > 1 ? (*r)[1] : std::string("queued");
}

absl::StatusOr<CompleteResult> RoutingEngine::Complete(const std::string& tenant,
                                                       const std::string& agent,
                                                       const std::string& id) {
  TenantKeys keys(tenant);
  auto r = RunTransition(
      "routing/complete", {keys.Interaction(id), keys.Events()},
      {keys.prefix(), id, agent, std::to_string(clock_->NowMs()),
       std::to_string(options_.event_max_len), std::to_string(options_.finished_ttl_seconds)});
  if (!r.ok()) return r.status();
  if (auto st = TransitionError(*r, id, agent); !st.ok()) return st;
  CompleteResult out;
  if (r->size() >= 5) {
    out.deflected = (*r)[1] == "deflected";
    out.queue = (*r)[2];
    out.handle_ms = ToInt((*r)[3]);
    out.wrap_up_ms = ToInt((*r)[4]);
  }
  return out;
}

absl::StatusOr<RoutingEngine::EscalateResult> RoutingEngine::Escalate(
    const std::string& tenant, const std::string& agent, const std::string& id,
    const std::string& reason, const std::map<std::string, std::string>& context) {
  TenantKeys keys(tenant);
  std::vector<std::string> args = {keys.prefix(),
                                   id,
                                   agent,
                                   std::to_string(clock_->NowMs()),
                                   std::to_string(options_.event_max_len),
                                   reason,
                                   std::to_string(options_.finished_ttl_seconds)};
  for (const auto& [key, value] : context) {
    args.push_back(key);
    args.push_back(value);
  }
  auto r = RunTransition("routing/escalate", {keys.Interaction(id), keys.Events()}, args);
  if (!r.ok()) return r.status();
  if (r->empty()) return absl::InternalError("empty script reply");
  const std::string& what = (*r)[0];
  std::string detail = r->size() > 1 ? (*r)[1] : "";
  if (what == "ok") return EscalateResult{detail, r->size() > 2 ? (*r)[2] : ""};
  if (what == "not_deflected") {
    return absl::FailedPreconditionError(absl::StrCat(
        "interaction_id: interaction ", id,
        " was not deflected to self-service (no self-service intent, or no self_service_queue)"));
  }
  if (what == "already_escalated") {
    return absl::FailedPreconditionError(absl::StrCat("interaction_id: interaction ", id,
                                                      " was already escalated to queue ", detail));
  }
  if (what == "not_in_self_service") {
    return absl::FailedPreconditionError(
        absl::StrCat("interaction_id: interaction ", id,
                     " is no longer in its self-service queue (now in '", detail, "')"));
  }
  if (what == "not_waiting") {
    return absl::FailedPreconditionError(absl::StrCat("agent_id: empty, but interaction ", id,
                                                      " is not waiting (state ", detail,
                                                      "); the agent holding it escalates it"));
  }
  return TransitionError(*r, id, agent);
}

absl::StatusOr<int> RoutingEngine::SetPriority(const std::string& tenant, const std::string& id,
                                               int priority) {
  TenantKeys keys(tenant);
  auto r = RunTransition("routing/reprioritize", {keys.Interaction(id), keys.Events()},
                         {keys.prefix(), id, std::to_string(priority),
                          std::to_string(clock_->NowMs()), std::to_string(options_.event_max_len)});
  if (!r.ok()) return r.status();
  if (r->empty()) return absl::InternalError("empty script reply");
  if ((*r)[0] == "not_found") {
    return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", id));
  }
  if ((*r)[0] == "ended") {
    return absl::FailedPreconditionError(absl::StrCat(
        "interaction_id: interaction ", id, " has ended (", r->size() > 1 ? (*r)[1] : "", ")"));
  }
  return static_cast<int>(r->size() > 1 ? ToInt((*r)[1]) : 0);
}

absl::StatusOr<int64_t> RoutingEngine::RunPerTenant(
    const std::string& script, const std::vector<std::string>& tenants,
    const std::function<std::vector<std::string>(const TenantKeys&)>& keys_of,
    const std::vector<std::string>& extra_args, std::map<std::string, int64_t>* per_tenant) {
  if (tenants.empty()) return 0;
  std::string now = std::to_string(clock_->NowMs());
  std::vector<std::vector<std::string>> cmds;
  for (const auto& t : tenants) {
    TenantKeys keys(t);
    std::vector<std::string> args = {keys.prefix(), now};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    cmds.push_back(scripts_->Command(script, keys_of(keys), args));
  }
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return Unavailable(replies.status());
  if (auto st = scripts_->FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  int64_t total = 0;
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error()) return absl::InternalError(absl::StrCat(script, ": ", r.str));
    total += r.integer;
    if (per_tenant != nullptr && r.integer != 0) (*per_tenant)[tenants[i]] += r.integer;
  }
  return total;
}

absl::StatusOr<int64_t> RoutingEngine::ExpireOffers(const std::vector<std::string>& tenants,
                                                    std::map<std::string, int64_t>* per_tenant) {
  return RunPerTenant(
      "routing/expire_offers", tenants,
      [](const TenantKeys& k) {
        return std::vector<std::string>{k.Timers(), k.Events()};
      },
      {"200", std::to_string(options_.event_max_len), std::to_string(options_.skip_ms),
       std::to_string(options_.finished_ttl_seconds)},
      per_tenant);
}

absl::StatusOr<int64_t> RoutingEngine::EndWrapUps(const std::vector<std::string>& tenants) {
  return RunPerTenant("routing/end_wrapups", tenants,
                      [](const TenantKeys& k) {
                        return std::vector<std::string>{k.WrapUps(), k.Events()};
                      },
                      {"200", std::to_string(options_.event_max_len)});
}

absl::StatusOr<int64_t> RoutingEngine::Sweep(const std::vector<std::string>& tenants) {
  return RunPerTenant("routing/sweep", tenants,
                      [](const TenantKeys& k) {
                        return std::vector<std::string>{k.Queues(), k.Events()};
                      },
                      {std::to_string(options_.event_max_len)});
}

absl::Status RoutingEngine::RefreshOpenFlags(const std::vector<std::string>& tenants) {
  int64_t now = clock_->NowMs();
  for (const auto& tenant : tenants) {
    auto queues = ListQueues(tenant);
    if (!queues.ok()) return queues.status();
    std::vector<std::vector<std::string>> cmds;
    for (const auto& q : *queues) {
      if (q.business_hours().windows().empty()) continue;
      auto open = IsOpen(q.business_hours(), now);
      if (!open.ok()) continue;
      TenantKeys keys(tenant);
      cmds.push_back(scripts_->Command("routing/set_open", {keys.QueueConfig(q.name())},
                                       {keys.prefix(), q.name(), *open ? "1" : "0"}));
    }
    if (cmds.empty()) continue;
    auto conn = pool_->Acquire();
    if (!conn.ok()) return Unavailable(conn.status());
    auto r = (*conn)->Pipeline(cmds);
    if (!r.ok()) return Unavailable(r.status());
    if (auto st = scripts_->FixNoScript(**conn, cmds, *r); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> RoutingEngine::PutQueue(const std::string& tenant, const v1::Queue& q) {
  TenantKeys keys(tenant);
  auto open = IsOpen(q.business_hours(), clock_->NowMs());
  std::vector<std::string> channels;
  for (int c : q.channels()) channels.push_back(std::to_string(c));
  std::map<std::string, int> skills;
  for (const auto& s : q.required_skills()) skills[s.name()] = s.proficiency();
  auto steps = EffectiveSteps(q);
  if (!steps.ok()) return steps.status();
  std::string steps_json = "[";
  for (size_t i = 0; i < steps->size(); ++i) {
    const auto& st = (*steps)[i];
    absl::StrAppend(&steps_json, i == 0 ? "" : ",", "{\"ms\":", st.after_ms,
                    ",\"skills\":", EncodeSkills(st.skills), ",\"add\":\"",
                    absl::StrJoin(st.added_queues, ","), "\"}");
  }
  steps_json += "]";
  auto r = RunTransition(
      "routing/put_queue", {keys.QueueConfig(q.name()), keys.Queues()},
      {keys.prefix(), q.name(), absl::StrJoin(channels, ","), EncodeSkills(skills),
       std::to_string(q.sla_threshold_seconds() * 1000LL),
       std::to_string(q.offer_timeout_seconds() * 1000LL), q.SerializeAsString(),
       std::to_string(clock_->NowMs()), std::to_string(options_.event_max_len),
       std::to_string(q.strategy()), std::to_string(q.wrap_up_seconds() * 1000LL),
       std::to_string(q.preferred_agent_seconds() < 0    ? 0
                      : q.preferred_agent_seconds() == 0 ? 20000
                                                         : q.preferred_agent_seconds() * 1000LL),
       std::to_string(q.max_waiting()), std::to_string(q.max_wait_seconds() * 1000LL),
       q.overflow_queue(), open.ok() && !*open ? "0" : "1", steps_json,
       absl::StrJoin(q.priority_head_start_seconds(), ",")});
  if (!r.ok()) return r.status();
  if (r->size() == 2 && (*r)[0] == "channel_in_use") {
    return absl::FailedPreconditionError(absl::StrCat(
        "queue.channels: channel ", (*r)[1],
        " cannot be dropped while the queue holds waiting, offered or assigned work on it"));
  }
  return 0;
}

absl::StatusOr<v1::Queue> RoutingEngine::GetQueue(const std::string& tenant,
                                                  const std::string& name) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = (*conn)->Command({"HGET", TenantKeys(tenant).QueueConfig(name), "proto"});
  if (!r.ok()) return Unavailable(r.status());
  v1::Queue q;
  if (r->is_nil()) return absl::NotFoundError(absl::StrCat("name: no queue named '", name, "'"));
  if (!q.ParseFromString(r->str)) return absl::DataLossError("queue config does not parse");
  return q;
}

absl::StatusOr<std::vector<v1::Queue>> RoutingEngine::ListQueues(const std::string& tenant) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto names = (*conn)->Command({"SMEMBERS", keys.Queues()});
  if (!names.ok()) return Unavailable(names.status());
  std::vector<std::string> sorted = redis::ReplyStrings(*names);
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::vector<std::string>> cmds;
  for (const auto& n : sorted) cmds.push_back({"HGET", keys.QueueConfig(n), "proto"});
  std::vector<v1::Queue> out;
  if (cmds.empty()) return out;
  auto protos = (*conn)->Pipeline(cmds);
  if (!protos.ok()) return Unavailable(protos.status());
  for (const auto& p : *protos) {
    v1::Queue q;
    if (!p.is_nil() && q.ParseFromString(p.str)) out.push_back(std::move(q));
  }
  return out;
}

absl::Status RoutingEngine::DeleteQueue(const std::string& tenant, const std::string& name) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = scripts_->Eval(**conn, "routing/delete_queue", {keys.QueueConfig(name), keys.Queues()},
                          {keys.prefix(), name});
  if (!r.ok()) return r.status();
  if (r->str == "not_found") {
    return absl::NotFoundError(absl::StrCat("name: no queue named '", name, "'"));
  }
  if (r->str == "not_empty") {
    return absl::FailedPreconditionError(
        absl::StrCat("name: queue '", name, "' still has waiting interactions"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::TenantConfig> RoutingEngine::PutConfig(const std::string& tenant,
                                                          v1::TenantConfig config) {
  TenantKeys keys(tenant);
  config.clear_version();
  v1::TenantConfig effective = WithDefaults(config);
  int max_missed = effective.max_missed_offers() == 0  ? 3
                   : effective.max_missed_offers() < 0 ? 0
                                                       : effective.max_missed_offers();
  std::vector<std::string> args = {config.SerializeAsString()};
  for (int s : effective.priority_head_start_seconds()) args.push_back(std::to_string(s));
  args.push_back(std::to_string(max_missed));
  std::vector<std::string> exclusive;
  for (int c : config.exclusive_channels()) {
    if (c != 0) exclusive.push_back(std::to_string(c));
  }
  if (config.exclusive_channels().empty()) exclusive.push_back("1");
  args.push_back(absl::StrJoin(exclusive, ","));
  args.push_back(keys.prefix());
  args.push_back(std::to_string(clock_->NowMs()));
  args.push_back(std::to_string(options_.event_max_len));
  std::string profiles = "{";
  for (int i = 0; i < config.capacity_profiles_size(); ++i) {
    const auto& p = config.capacity_profiles(i);
    std::map<std::string, int> caps;
    for (const auto& c : p.capacities()) caps[std::to_string(c.channel())] = c.max();
    absl::StrAppend(&profiles, i == 0 ? "" : ",", "\"", p.name(), "\":", EncodeSkills(caps));
  }
  profiles += "}";
  args.push_back(profiles);
  int boost_max = effective.value_boost_max_seconds() == 0  ? 60
                  : effective.value_boost_max_seconds() < 0 ? 0
                                                            : effective.value_boost_max_seconds();
  args.push_back(std::to_string(boost_max));
  int window = effective.conversation_window_seconds() == 0 ? 1800
               : effective.conversation_window_seconds() < 0
                   ? 0
                   : effective.conversation_window_seconds();
  args.push_back(std::to_string(window));
  auto r = RunTransition("routing/put_config", {keys.Config()}, args);
  if (!r.ok()) return r.status();
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto v = (*conn)->Command({"HGET", keys.Config(), "version"});
  if (!v.ok()) return Unavailable(v.status());
  effective.set_version(ToInt(v->str));
  return effective;
}

absl::StatusOr<v1::TenantConfig> RoutingEngine::GetConfig(const std::string& tenant) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  auto r = (*conn)->Command({"HMGET", TenantKeys(tenant).Config(), "proto", "version"});
  if (!r.ok()) return Unavailable(r.status());
  v1::TenantConfig config;
  if (r->elements.size() == 2 && !r->elements[0].is_nil() &&
      !config.ParseFromString(r->elements[0].str)) {
    return absl::DataLossError("tenant config does not parse");
  }
  config = WithDefaults(std::move(config));
  if (r->elements.size() == 2) config.set_version(ToInt(r->elements[1].str));
  return config;
}

absl::StatusOr<v1::ExplainRoutingResponse> RoutingEngine::Explain(const std::string& tenant,
                                                                  const std::string& id) {
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  // Decisions live in the interaction's hash as ex:<n> (see explain_record.lua); a list
  // P:ex:<id> holds those recorded before that layout, newest first.
  auto r = (*conn)->Pipeline(
      {{"HGETALL", keys.Interaction(id)}, {"LRANGE", keys.Explanations(id), "0", "-1"}});
  if (!r.ok()) return Unavailable(r.status());
  auto fields = redis::ReplyStrings((*r)[0]);
  auto listed = redis::ReplyStrings((*r)[1]);
  if (fields.empty() && listed.empty()) {
    return absl::NotFoundError(absl::StrCat("interaction_id: no interaction ", id));
  }
  std::vector<std::string> records(listed.rbegin(), listed.rend());
  std::map<int64_t, std::string> numbered;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    int64_t n = 0;
    if (absl::StartsWith(fields[i], "ex:") && absl::SimpleAtoi(fields[i].substr(3), &n)) {
      numbered[n] = fields[i + 1];
    }
  }
  for (auto& [n, record] : numbered) records.push_back(std::move(record));
  v1::ExplainRoutingResponse out;
  out.set_interaction_id(id);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  for (const auto& record : records) {
    v1::RoutingDecision d;
    auto st = google::protobuf::util::JsonStringToMessage(record, &d, options);
    if (!st.ok()) return absl::DataLossError("a stored routing decision does not parse");
    *out.add_decisions() = std::move(d);
  }
  return out;
}

absl::StatusOr<v1::GetQueueStatsResponse> RoutingEngine::QueueStats(const std::string& tenant,
                                                                    const std::string& queue) {
  auto q = GetQueue(tenant, queue);
  if (!q.ok()) return q.status();
  return QueueStats(tenant, *q);
}

absl::StatusOr<v1::GetQueueStatsResponse> RoutingEngine::QueueStats(const std::string& tenant,
                                                                    const v1::Queue& q) {
  const std::string& queue = q.name();
  TenantKeys keys(tenant);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return Unavailable(conn.status());
  std::vector<std::vector<std::string>> cmds = {{"HMGET", keys.QueueStats(queue), "answered",
                                                 "answered_sla", "abandoned", "completed",
                                                 "deflected", "escalated"}};
  for (int ch : q.channels()) {
    cmds.push_back({"ZCARD", keys.WaitingByAge(queue, ch)});
    cmds.push_back({"ZCARD", keys.Available(queue, ch)});
    cmds.push_back({"ZRANGE", keys.WaitingByAge(queue, ch), "0", "0", "WITHSCORES"});
  }
  auto r = (*conn)->Pipeline(cmds);
  if (!r.ok()) return Unavailable(r.status());
  v1::GetQueueStatsResponse out;
  out.set_queue(queue);
  auto counters = redis::ReplyStrings((*r)[0]);
  counters.resize(6);
  out.set_answered(ToInt(counters[0]));
  out.set_answered_within_sla(ToInt(counters[1]));
  out.set_abandoned(ToInt(counters[2]));
  out.set_completed(ToInt(counters[3]));
  out.set_deflected(ToInt(counters[4]));
  out.set_escalated(ToInt(counters[5]));
  int64_t now = clock_->NowMs();
  for (int i = 0; i < q.channels_size(); ++i) {
    out.set_waiting(out.waiting() + (*r)[1 + 3 * i].integer);
    out.set_available_agents(std::max<int64_t>(out.available_agents(), (*r)[2 + 3 * i].integer));
    auto oldest = redis::ReplyStrings((*r)[3 + 3 * i]);
    if (oldest.size() == 2) {
      out.set_oldest_wait_ms(std::max(out.oldest_wait_ms(), now - ToInt(oldest[1])));
    }
  }
  int64_t denominator = out.answered() + out.abandoned();
  out.set_service_level(denominator == 0 ? 1.0
                                         : static_cast<double>(out.answered_within_sla()) /
                                               static_cast<double>(denominator));
  return out;
}

}  // namespace omniroute::routing
