// RoutingEngine: queue and tenant config administration, and the reads behind the stats and
// ExplainRouting.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/business_hours.h"
#include "services/common/interaction_codec.h"
#include "services/common/keys.h"
#include "services/common/tenant_config.h"
#include "services/routing/engine_util.h"
#include "services/routing/gauges.h"
#include "services/routing/routing_engine.h"

namespace omniroute::routing {

using internal::ToInt;
using internal::Unavailable;

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
  std::vector<std::vector<std::string>> cmds = {
      {"HMGET", keys.QueueStats(queue), "answered", "answered_sla", "abandoned", "completed",
       "deflected", "escalated"},
      {"HGETALL", keys.WaitInputs(queue)}};
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
  std::optional<int64_t> free_where_waiting;  // the fewest free agents on a channel with work
  int64_t free_most = 0;
  for (int i = 0; i < q.channels_size(); ++i) {
    auto* ch = out.add_channels();
    ch->set_channel(static_cast<v1::Channel>(q.channels(i)));
    ch->set_waiting((*r)[2 + 3 * i].integer);
    ch->set_available_agents((*r)[3 + 3 * i].integer);
    auto oldest = redis::ReplyStrings((*r)[4 + 3 * i]);
    if (oldest.size() == 2) ch->set_oldest_wait_ms(now - ToInt(oldest[1]));
    out.set_waiting(out.waiting() + ch->waiting());
    out.set_oldest_wait_ms(std::max(out.oldest_wait_ms(), ch->oldest_wait_ms()));
    free_most = std::max(free_most, ch->available_agents());
    if (ch->waiting() > 0) {
      free_where_waiting =
          std::min(free_where_waiting.value_or(ch->available_agents()), ch->available_agents());
    }
  }
  out.set_available_agents(free_where_waiting.value_or(free_most));
  int64_t denominator = out.answered() + out.abandoned();
  out.set_service_level(denominator == 0 ? 1.0
                                         : static_cast<double>(out.answered_within_sla()) /
                                               static_cast<double>(denominator));
  SetEstimatedWaits(ParseWaitInputs(redis::ReplyStrings((*r)[1])), now, &out);
  return out;
}

}  // namespace omniroute::routing
