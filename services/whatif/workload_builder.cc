#include "services/whatif/workload_builder.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "services/common/interaction_codec.h"

namespace omniroute::whatif {

namespace {

std::string Detail(const v1::Event& e, const std::string& key) {
  auto it = e.detail().find(key);
  return it == e.detail().end() ? "" : it->second;
}

v1::AgentState StateNamed(const std::string& s) {
  if (s == "available") return v1::AGENT_STATE_AVAILABLE;
  if (s == "away") return v1::AGENT_STATE_AWAY;
  return v1::AGENT_STATE_OFFLINE;
}

}  // namespace

v1::Priority ParsePriority(const std::string& text) {
  v1::Priority p = v1::PRIORITY_UNSPECIFIED;
  if (v1::Priority_Parse(text, &p)) return p;
  int n = 0;
  if (absl::SimpleAtoi(text, &n) && v1::Priority_IsValid(n)) return static_cast<v1::Priority>(n);
  return v1::PRIORITY_UNSPECIFIED;
}

std::vector<v1::Skill> SkillsFromJson(const std::string& json) {
  std::vector<v1::Skill> out;
  if (json.empty()) return out;
  auto skills = DecodeSkills(json);
  if (!skills.ok()) return out;
  for (const auto& [name, level] : *skills) {
    v1::Skill s;
    s.set_name(name);
    s.set_proficiency(level);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<v1::ChannelCapacity> CapacitiesFromJson(const std::string& json) {
  std::vector<v1::ChannelCapacity> out;
  if (json.empty()) return out;
  auto caps = DecodeSkills(json);  // the same {"key": int} shape
  if (!caps.ok()) return out;
  for (const auto& [channel, max] : *caps) {
    int ch = 0;
    if (!absl::SimpleAtoi(channel, &ch) || !v1::Channel_IsValid(ch)) continue;
    v1::ChannelCapacity c;
    c.set_channel(static_cast<v1::Channel>(ch));
    c.set_max(max);
    out.push_back(std::move(c));
  }
  return out;
}

WorkloadBuilder::WorkloadBuilder(std::string tenant, int64_t start_ms, v1::TenantConfig config,
                                 std::vector<v1::Queue> queues,
                                 const std::vector<v1::AgentView>& agents) {
  workload_.set_tenant_id(std::move(tenant));
  workload_.set_start_ms(start_ms);
  *workload_.mutable_config() = std::move(config);
  for (auto& q : queues) *workload_.add_queues() = std::move(q);
  for (const auto& a : agents) {
    v1::WorkloadAgentChange c;
    c.set_agent_id(a.agent_id());
    c.set_state(a.state() == v1::AGENT_STATE_UNSPECIFIED ? v1::AGENT_STATE_OFFLINE : a.state());
    *c.mutable_skills() = a.skills();
    for (const auto& ch : a.channels()) {
      if (ch.capacity() <= 0) continue;
      auto* cap = c.add_capacities();
      cap->set_channel(ch.channel());
      cap->set_max(ch.capacity());
    }
    c.set_capacity_profile(a.capacity_profile());
    start_roster_[a.agent_id()] = std::move(c);
  }
}

void WorkloadBuilder::AgentChanged(const v1::Event& e) {
  const std::string& agent = e.agent_id();
  if (!seen_agent_[agent]) {
    seen_agent_[agent] = true;
    // Its state before its first change in the window is the state it had at the start.
    auto& start = start_roster_[agent];
    start.set_agent_id(agent);
    start.set_state(StateNamed(Detail(e, "from")));
  }
  v1::WorkloadAgentChange c;
  c.set_at_ms(e.at_ms() - workload_.start_ms());
  c.set_agent_id(agent);
  c.set_state(StateNamed(Detail(e, "state")));
  for (auto& s : SkillsFromJson(Detail(e, "skills"))) *c.add_skills() = std::move(s);
  for (auto& cap : CapacitiesFromJson(Detail(e, "capacity"))) {
    *c.add_capacities() = std::move(cap);
  }
  c.set_capacity_profile(Detail(e, "profile"));
  *workload_.add_roster() = std::move(c);
}

void WorkloadBuilder::Add(const v1::Event& e) {
  if (e.at_ms() < workload_.start_ms()) return;
  ++events_;
  const std::string& type = e.type();
  if (type == "agent_state") return AgentChanged(e);
  const std::string& id = e.interaction_id();
  if (id.empty()) return;
  if (type == "submitted") {
    if (tracks_.count(id) != 0) return;
    Track& t = tracks_[id];
    t.submitted_ms = e.at_ms();
    t.arrival.set_at_ms(e.at_ms() - workload_.start_ms());
    t.arrival.set_interaction_id(id);
    t.arrival.set_channel(e.channel());
    t.arrival.set_outcome("open");
    order_.push_back(id);
    return;
  }
  auto it = tracks_.find(id);
  if (it == tracks_.end()) return;  // arrived before the window
  Track& t = it->second;
  v1::WorkloadArrival& a = t.arrival;
  if (type == "classified") {
    a.set_queue(e.queue());
    a.set_priority(ParsePriority(Detail(e, "priority")));
    a.set_escalation_queue(Detail(e, "escalation_queue"));
    for (auto& s : SkillsFromJson(Detail(e, "skills"))) *a.add_required_skills() = std::move(s);
  } else if (t.ended) {
    return;
  } else if (type == "accepted" && t.accepted_ms == 0) {
    t.accepted_ms = e.at_ms();
    int64_t wait = 0;
    (void)absl::SimpleAtoi(Detail(e, "wait_ms"), &wait);
    a.set_outcome("answered");
    a.set_wait_ms(wait);
    a.set_answered_queue(e.queue());
    a.set_agent_id(e.agent_id());
  } else if (type == "completed" && t.accepted_ms != 0) {
    a.set_handle_ms(std::max<int64_t>(1, e.at_ms() - t.accepted_ms));
    t.ended = true;
  } else if (type == "canceled" && t.accepted_ms == 0) {
    a.set_outcome("abandoned");
    a.set_patience_ms(std::max<int64_t>(1, e.at_ms() - t.submitted_ms));
    // Abandoned in a queue when it waited or was offered there (as the queue's counters and
    // cancel.lua count it); before routing queued it, no queue counts it and a replay leaves
    // it out.
    const std::string from = Detail(e, "from");
    bool before_queue = from != "queued" && from != "offered";
    a.set_answered_queue(before_queue ? "" : e.queue());
    if (before_queue) a.set_queue("");
    t.ended = true;
  } else if (type == "rejected_by_policy" && t.accepted_ms == 0) {
    a.set_outcome("rejected");
    t.ended = true;
  }
}

v1::Workload WorkloadBuilder::Finish(int64_t end_ms) {
  v1::Workload w = workload_;
  w.set_end_ms(end_ms);
  // The roster at the start first, then the changes in feed order.
  google::protobuf::RepeatedPtrField<v1::WorkloadAgentChange> roster;
  for (const auto& [agent, c] : start_roster_) *roster.Add() = c;
  for (const auto& c : w.roster()) {
    if (c.at_ms() < end_ms - w.start_ms()) *roster.Add() = c;
  }
  w.mutable_roster()->Swap(&roster);
  for (const auto& id : order_) {
    const Track& t = tracks_.at(id);
    if (t.submitted_ms >= end_ms) continue;
    *w.add_arrivals() = t.arrival;
  }
  return w;
}

}  // namespace omniroute::whatif
