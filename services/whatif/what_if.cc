#include "services/whatif/what_if.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/tenant_config.h"
#include "services/common/validation.h"
#include "services/whatif/scratch_redis.h"

namespace omniroute::whatif {

namespace {

absl::Status Named(const std::string& field, const absl::Status& st) {
  if (st.ok()) return st;
  return absl::Status(st.code(), absl::StrCat(field, ".", st.message()));
}

absl::Status CheckQueueRefs(const v1::Queue& q, const std::set<std::string>& names,
                            const std::string& field) {
  if (!q.overflow_queue().empty() && names.count(q.overflow_queue()) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".overflow_queue: no queue named '", q.overflow_queue(), "'"));
  }
  for (int i = 0; i < q.steps_size(); ++i) {
    for (int k = 0; k < q.steps(i).add_queues_size(); ++k) {
      if (names.count(q.steps(i).add_queues(k)) != 0) continue;
      return absl::InvalidArgumentError(absl::StrCat(field, ".steps[", i, "].add_queues[", k,
                                                     "]: no queue named '",
                                                     q.steps(i).add_queues(k), "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ReplayInput> ProposedInput(const v1::Workload& w, const v1::WhatIfProposal& p) {
  ReplayInput in = CurrentInput(w);
  std::map<std::string, v1::Queue> queues;
  for (auto& q : in.queues) queues[q.name()] = q;
  for (int i = 0; i < p.queues_size(); ++i) {
    std::string field = absl::StrCat("proposal.queues[", i, "]");
    if (auto st = Named(field, ValidateQueue(p.queues(i))); !st.ok()) return st;
    queues[p.queues(i).name()] = p.queues(i);
  }
  std::set<std::string> names;
  for (const auto& [name, q] : queues) names.insert(name);
  in.queues.clear();
  for (const auto& [name, q] : queues) {
    if (auto st = CheckQueueRefs(q, names, "proposal.queues[" + name + "]"); !st.ok()) return st;
    in.queues.push_back(q);
  }
  if (p.has_config()) in.config = p.config();
  if (auto st = Named("proposal.config", ValidateTenantConfig(in.config, names)); !st.ok()) {
    return st;
  }
  std::set<std::string> known, drop;
  for (const auto& c : in.roster) known.insert(c.agent_id());
  for (int i = 0; i < p.remove_agents_size(); ++i) {
    if (known.count(p.remove_agents(i)) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("proposal.remove_agents[", i, "]: no agent '",
                                                     p.remove_agents(i), "' in the workload"));
    }
    drop.insert(p.remove_agents(i));
  }
  for (int i = 0; i < p.agents_size(); ++i) {
    const auto& a = p.agents(i);
    std::string field = absl::StrCat("proposal.agents[", i, "]");
    if (auto st = ValidateExternalId(field + ".agent_id", a.agent_id()); !st.ok()) return st;
    if (auto st = ValidateSkills(field + ".skills", a.skills()); !st.ok()) return st;
    if (auto st = ValidateCapacities(field + ".capacities", a.capacities()); !st.ok()) return st;
    if (a.at_ms() < 0 || a.at_ms() >= w.end_ms() - w.start_ms()) {
      return absl::InvalidArgumentError(field + ".at_ms: must fall inside the window");
    }
    drop.insert(a.agent_id());  // replaces the workload's agent of that id
  }
  std::vector<v1::WorkloadAgentChange> roster;
  for (auto& c : in.roster) {
    if (drop.count(c.agent_id()) == 0) roster.push_back(std::move(c));
  }
  for (const auto& a : p.agents()) {
    v1::WorkloadAgentChange c = a;
    if (c.state() == v1::AGENT_STATE_UNSPECIFIED) c.set_state(v1::AGENT_STATE_AVAILABLE);
    roster.push_back(std::move(c));
  }
  std::stable_sort(roster.begin(), roster.end(),
                   [](const auto& x, const auto& y) { return x.at_ms() < y.at_ms(); });
  in.roster = std::move(roster);
  return in;
}

absl::StatusOr<v1::RunWhatIfResponse> RunWhatIf(const v1::RunWhatIfRequest& request,
                                                const std::string& redis_server,
                                                ReplayOptions options) {
  const v1::Workload& w = request.workload();
  if (auto st = ValidateWorkload(w); !st.ok()) return st;
  std::optional<ReplayInput> proposed;
  if (request.has_proposal()) {
    auto in = ProposedInput(w, request.proposal());
    if (!in.ok()) return in.status();
    proposed = std::move(*in);
  }
  options.seed = request.seed() == 0 ? 1 : request.seed();
  auto redis = ScratchRedis::Start(redis_server);
  if (!redis.ok()) return redis.status();
  v1::RunWhatIfResponse out;
  *out.mutable_recorded() = RecordedRun(w);
  auto current = Replay((*redis)->endpoint(), w, CurrentInput(w), options);
  if (!current.ok()) return current.status();
  *out.mutable_current() = std::move(*current);
  if (proposed.has_value()) {
    auto run = Replay((*redis)->endpoint(), w, *proposed, options);
    if (!run.ok()) return run.status();
    *out.mutable_proposed() = std::move(*run);
  }
  return out;
}

}  // namespace omniroute::whatif
