#include "services/routing/gauges.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/common/keys.h"

namespace omniroute::routing {
namespace {

int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  return absl::SimpleAtoi(s, &v) ? v : 0;
}

}  // namespace

AgentSlots ParseAgentSlots(const std::vector<std::string>& fields) {
  AgentSlots a;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& k = fields[i];
    if (k == "state") {
      a.state = fields[i + 1];
    } else if (k.rfind("cap:", 0) == 0) {
      a.cap[k.substr(4)] = std::max<int64_t>(0, ToInt(fields[i + 1]));
    } else if (k.rfind("load:", 0) == 0) {
      a.load[k.substr(5)] = std::max<int64_t>(0, ToInt(fields[i + 1]));
    }
  }
  return a;
}

bool AgentSlots::Blocked(const std::string& ch, const std::set<std::string>& exclusive) const {
  for (const auto& [held, n] : load) {
    if (n > 0 && held != ch && (exclusive.count(ch) > 0 || exclusive.count(held) > 0)) {
      return true;
    }
  }
  return false;
}

AgentTally TallyAgents(const std::vector<AgentRow>& agents,
                       const std::set<std::string>& exclusive) {
  AgentTally t;
  for (const char* s : {"offline", "away", "idle", "busy"}) t.by_state[s] = 0;
  for (const auto& row : agents) {
    AgentSlots a = ParseAgentSlots(row.fields);
    if (a.state != "available") {
      // An agent hash without a state (never signed in) counts as offline.
      ++t.by_state[a.state == "away" ? "away" : "offline"];
      continue;
    }
    int64_t held = 0;
    for (const auto& [ch, n] : a.load) held += n;
    ++t.by_state[held > 0 ? "busy" : "idle"];
    for (const auto& [ch, slots] : a.cap) {
      int64_t busy = a.load.count(ch) ? a.load.at(ch) : 0;
      t.capacity_slots += slots;
      t.busy_slots += a.Blocked(ch, exclusive) ? std::max(slots, busy) : std::min(slots, busy);
    }
    for (const auto& q : row.queues) {
      ++t.staffed_by_queue[q];
      for (const auto& [ch, slots] : a.cap) {
        int channel = 0;
        if (absl::SimpleAtoi(ch, &channel)) t.staffed_slots[q][channel] += slots;
      }
    }
  }
  return t;
}

void SetEstimatedWaits(const WaitInputs& inputs, int64_t now_ms, v1::GetQueueStatsResponse* stats) {
  stats->clear_estimated_wait();
  for (auto& ch : *stats->mutable_channels()) {
    auto e =
        EstimateFromInputs(inputs, ch.channel(), ch.waiting() + 1, ch.available_agents(), now_ms);
    if (!e.has_value()) {
      ch.clear_estimated_wait();
      continue;
    }
    *ch.mutable_estimated_wait() = *e;
    if (!stats->has_estimated_wait() || e->seconds() > stats->estimated_wait().seconds()) {
      *stats->mutable_estimated_wait() = std::move(*e);
    }
  }
}

std::vector<StreamGroupInfo> ParseStreamGroups(const redis::Reply& reply) {
  std::vector<StreamGroupInfo> out;
  if (reply.type != redis::Reply::Type::kArray) return out;
  for (const auto& g : reply.elements) {
    if (g.type != redis::Reply::Type::kArray) continue;
    StreamGroupInfo info;
    for (size_t i = 0; i + 1 < g.elements.size(); i += 2) {
      const std::string& k = g.elements[i].str;
      const auto& v = g.elements[i + 1];
      if (k == "name") {
        info.group = v.str;
      } else if (k == "pending") {
        info.pending = v.integer;
      } else if (k == "lag" && v.type == redis::Reply::Type::kInteger) {
        info.lag = v.integer;
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

absl::StatusOr<std::set<std::string>> ReadExclusiveChannels(redis::Connection& conn,
                                                            const std::string& tenant) {
  auto r = conn.Command({"HGET", TenantKeys(tenant).Config(), "exclusive"});
  if (!r.ok()) return r.status();
  return ExclusiveChannels(*r);
}

std::set<std::string> ExclusiveChannels(const redis::Reply& reply) {
  if (reply.is_nil()) return {"1"};  // voice (the scripts' default)
  std::set<std::string> out;
  for (absl::string_view ch : absl::StrSplit(reply.str, ',', absl::SkipEmpty())) {
    out.insert(std::string(ch));
  }
  return out;
}

absl::StatusOr<std::vector<AgentRow>> ReadAgents(redis::Connection& conn,
                                                 const std::string& tenant) {
  TenantKeys keys(tenant);
  auto ids = conn.Command({"SMEMBERS", keys.Agents()});
  if (!ids.ok()) return ids.status();
  auto names = redis::ReplyStrings(*ids);
  std::vector<AgentRow> rows;
  // Bounded pipelines: a tenant with many agents is read in slices.
  constexpr size_t kSlice = 500;
  for (size_t start = 0; start < names.size(); start += kSlice) {
    size_t end = std::min(names.size(), start + kSlice);
    std::vector<std::vector<std::string>> cmds;
    for (size_t i = start; i < end; ++i) {
      cmds.push_back({"HGETALL", keys.Agent(names[i])});
      cmds.push_back({"SMEMBERS", keys.AgentQueues(names[i])});
    }
    auto r = conn.Pipeline(cmds);
    if (!r.ok()) return r.status();
    for (size_t i = 0; i + 1 < r->size(); i += 2) {
      rows.push_back({redis::ReplyStrings((*r)[i]), redis::ReplyStrings((*r)[i + 1])});
    }
  }
  return rows;
}

}  // namespace omniroute::routing
