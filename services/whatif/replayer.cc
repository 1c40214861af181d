// What-if replay: the event loop on the virtual clock.
#include "services/whatif/replayer.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "services/common/interaction_codec.h"

namespace omniroute::whatif {

namespace {

// The field of a flat stream entry, "" when absent.
const std::string& Field(const redis::Reply& entry_fields, const std::string& name) {
  static const std::string kNone;
  const auto& f = entry_fields.elements;
  for (size_t i = 0; i + 1 < f.size(); i += 2) {
    if (f[i].str == name) return f[i + 1].str;
  }
  return kNone;
}

}  // namespace

absl::Status Replayer::ApplyRoster(const v1::WorkloadAgentChange& c) {
  routing::AgentUpdate u;
  u.agent_id = c.agent_id();
  u.state = routing::AgentStateName(c.state()).value_or("offline");
  for (const auto& s : c.skills()) u.skills[s.name()] = s.proficiency();
  for (const auto& cap : c.capacities()) u.capacity[cap.channel()] = cap.max();
  u.capacity_profile = c.capacity_profile();
  auto r = engine_.SetAgentState(workload_.tenant_id(), u);
  if (!r.ok() && r.status().code() != absl::StatusCode::kFailedPrecondition) return r.status();
  return absl::OkStatus();
}

absl::Status Replayer::Arrive(size_t first, size_t end) {
  std::vector<size_t> routed;  // those that reached routing in the recording
  for (size_t i = first; i < end; ++i) {
    if (workload_.arrivals(static_cast<int>(i)).queue().empty()) {
      items_[i].ended = true;
      tally_.CanceledBeforeQueue();
      continue;
    }
    routed.push_back(i);
  }
  routed_ += static_cast<int64_t>(routed.size());
  std::vector<intake::Submission> subs(routed.size());
  std::vector<const intake::Submission*> batch;
  for (size_t k = 0; k < routed.size(); ++k) {
    size_t i = routed[k];
    auto& s = subs[k];
    s.channel = workload_.arrivals(static_cast<int>(i)).channel();
    s.customer_id = absl::StrCat("whatif-", i);  // one each: no conversation joins another
    batch.push_back(&s);
  }
  if (batch.empty()) return absl::OkStatus();
  auto results = intake_.Submit(workload_.tenant_id(), batch);
  std::vector<size_t> stored;
  for (size_t k = 0; k < results.size(); ++k) {
    if (!results[k].ok()) return results[k].status();
    size_t i = routed[k];
    items_[i].id = results[k]->interaction_id;
    index_of_[results[k]->interaction_id] = static_cast<int64_t>(i);
    stored.push_back(i);
    if (patience_ms_[i] > 0)
      due_.push({now() + patience_ms_[i], kAbandon, static_cast<int64_t>(i)});
  }
  if (stored.empty()) return absl::OkStatus();
  return Classify(stored);
}

absl::Status Replayer::Classify(const std::vector<size_t>& indexes) {
  // As the classification service records its result (classification/classify.lua), with the
  // recorded outcome instead of the rules and the model.
  std::string now_ms = std::to_string(clock_.NowMs());
  std::vector<std::string> args = {keys_.prefix(), kClassificationGroup, now_ms, "100000"};
  for (size_t i : indexes) {
    const auto& a = workload_.arrivals(static_cast<int>(i));
    std::map<std::string, int> skills;
    for (const auto& s : a.required_skills()) skills[s.name()] = s.proficiency();
    int priority = a.priority() == v1::PRIORITY_UNSPECIFIED ? 3 : static_cast<int>(a.priority());
    args.insert(args.end(), {items_[i].id, "0-1", "whatif", std::to_string(priority),
                             EncodeSkills(skills), a.queue(), "", "", "0", "whatif", "",
                             a.escalation_queue().empty() ? "0" : "1", a.escalation_queue()});
  }
  // Then, in the same round trip (round trips are the replay's cost), the routing service's
  // enqueue of the batch and the read of the feed that React goes on from.
  std::vector<std::vector<std::string>> cmds = {redis::Scripts::Embedded().Command(
      "classification/classify", {keys_.IntakeStream(), keys_.ClassifiedStream(), keys_.Events()},
      args)};
  std::vector<redis::StreamEntry> entries;
  for (size_t i : indexes) entries.push_back({workload_.tenant_id(), "0-1", items_[i].id});
  for (auto& c : engine_.EnqueueCommands(entries)) cmds.push_back(std::move(c));
  return RunWithFeedRead(std::move(cmds), "classify/enqueue");
}

absl::Status Replayer::RunWithFeedRead(std::vector<std::vector<std::string>> cmds,
                                       const std::string& what) {
  cmds.push_back(FeedRead());
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  const auto& scripts = redis::Scripts::Embedded();
  if (auto st = scripts.FixNoScript(**conn, cmds, *replies); !st.ok()) return st;
  // A script's refusal (e.g. the work was withdrawn) is no failure of the replay; Redis's are.
  for (size_t i = 0; i + 1 < replies->size(); ++i) {
    if (auto st = redis::ReplyError((*replies)[i], what); !st.ok()) return st;
  }
  feed_read_ = std::move(replies->back());
  return absl::OkStatus();
}

std::vector<std::string> Replayer::FeedRead() const {
  return {"XREAD", "COUNT", std::to_string(kFeedCount), "STREAMS", keys_.Events(), feed_after_};
}

absl::Status Replayer::Tick(bool sweep) {
  const std::vector<std::string> tenant = {workload_.tenant_id()};
  if (!sweep) return RunWithFeedRead(engine_.TimerCommands(tenant), "timers");
  if (auto r = engine_.ExpireOffers(tenant); !r.ok()) return r.status();
  if (auto r = engine_.EndWrapUps(tenant); !r.ok()) return r.status();
  if (auto r = engine_.Sweep(tenant); !r.ok()) return r.status();
  if (auto st = engine_.RefreshOpenFlags(tenant); !st.ok()) return st;
  // Every stream entry was acknowledged at once: keep the streams empty.
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto trimmed = (*conn)->Pipeline({{"XTRIM", keys_.IntakeStream(), "MAXLEN", "0"},
                                    {"XTRIM", keys_.ClassifiedStream(), "MAXLEN", "0"}});
  return trimmed.status();
}

void Replayer::Accept(int64_t index, const std::string& agent) {
  Item& item = items_[index];
  if (item.accepted || item.ended) return;
  auto r = engine_.Accept(workload_.tenant_id(), agent, item.id);
  if (!r.ok()) return;  // withdrawn in the meantime: the work is offered again
  item.accepted = true;
  item.agent = agent;
  const auto& a = workload_.arrivals(static_cast<int>(index));
  tally_.Answered(r->queue, a.priority(), r->wait_ms);
  int64_t handle = HandleMs(index, r->queue);
  tally_.Busy(handle + wrap_ms_[r->queue]);
  due_.push({now() + handle, kComplete, index});
}

absl::Status Replayer::React() {
  for (int round = 0; round < 1000; ++round) {
    std::vector<std::pair<int64_t, std::string>> offers;
    redis::Reply reply;
    if (feed_read_.has_value()) {  // read with the step just made
      reply = std::move(*feed_read_);
      feed_read_.reset();
    } else {
      auto conn = pool_.Acquire();
      if (!conn.ok()) return conn.status();
      auto r = (*conn)->Command(FeedRead());
      if (!r.ok()) return r.status();
      reply = std::move(*r);
    }
    // [[stream, [[id, [field, value...]]...]]] or nil.
    if (reply.elements.empty() || reply.elements[0].elements.size() < 2) return absl::OkStatus();
    const auto& entries = reply.elements[0].elements[1].elements;
    for (const auto& e : entries) {
      if (e.elements.size() < 2) continue;
      feed_after_ = e.elements[0].str;
      const auto& type = Field(e.elements[1], "type");
      if (type != "offered" && type != "rejected_by_policy") continue;
      auto it = index_of_.find(Field(e.elements[1], "ix"));
      if (it == index_of_.end()) continue;
      if (type == "offered") {
        offers.push_back({it->second, Field(e.elements[1], "agent")});
      } else if (!items_[it->second].ended) {
        items_[it->second].ended = true;
        ++ended_;
        tally_.Rejected();
      }
    }
    for (const auto& [index, agent] : offers) Accept(index, agent);
    // An accept makes no offer (the offer had the agent's slot already): read again only when
    // this read did not take every new entry.
    if (entries.size() < kFeedCount) return absl::OkStatus();
  }
  return absl::InternalError("what-if: offers kept coming at one instant (1000 rounds)");
}

absl::StatusOr<v1::WhatIfRun> Replayer::Run() {
  auto started = std::chrono::steady_clock::now();
  if (auto st = SetUp(); !st.ok()) return st;
  const int64_t window = workload_.end_ms() - workload_.start_ms();
  const int arrivals = workload_.arrivals_size();
  size_t next_arrival = 0, next_change = 0;
  int64_t next_tick = options_.timer_interval_ms, ticks = 0;
  const int64_t sweep_every = std::max(1, options_.sweep_interval_ms / options_.timer_interval_ms);
  while (true) {
    int64_t t = next_tick;
    if (!due_.empty()) t = std::min(t, due_.top().at);
    if (next_arrival < static_cast<size_t>(arrivals)) {
      t = std::min(t, workload_.arrivals(static_cast<int>(next_arrival)).at_ms());
    }
    if (next_change < input_.roster.size() && input_.roster[next_change].at_ms() < window)
      t = std::min(t, input_.roster[next_change].at_ms());
    // Past the window: no more arrivals or roster changes; with drain, the work that arrived
    // goes on until it ended (or kMaxDrainMs passed: work nobody there can serve).
    if (t >= window &&
        (!options_.drain || ended_ == routed_ || t >= window + ReplayOptions::kMaxDrainMs)) {
      break;
    }
    clock_.Set(workload_.start_ms() + t);
    bool acted = false;  // whether anything ran that may have made offers
    std::vector<std::vector<std::string>> completes;
    while (!due_.empty() && due_.top().at == t && due_.top().kind == kComplete) {
      Item& item = items_[due_.top().index];
      due_.pop();
      item.ended = true;
      ++ended_;
      completes.push_back(engine_.CompleteCommand(workload_.tenant_id(), item.agent, item.id));
    }
    if (!completes.empty()) {
      acted = true;
      if (auto st = RunWithFeedRead(std::move(completes), "complete"); !st.ok()) return st;
    }
    while (next_change < input_.roster.size() && input_.roster[next_change].at_ms() == t &&
           t < window) {
      acted = true;
      if (auto st = ApplyRoster(input_.roster[next_change]); !st.ok()) {
        return absl::Status(
            st.code(), absl::StrCat("roster agent ", input_.roster[next_change].agent_id(), ": ",
                                    st.message()));
      }
      ++next_change;
    }
    while (!due_.empty() && due_.top().at == t) {
      int64_t index = due_.top().index;
      due_.pop();
      Item& item = items_[index];
      if (item.accepted || item.ended) continue;  // answered: its patience no longer matters
      acted = true;
      intake::IntakeStore::Abandoned where;
      auto state = intake_.Cancel(workload_.tenant_id(), item.id, "customer_abandoned", &where);
      if (!state.ok()) return state.status();
      if (*state != v1::INTERACTION_STATE_CANCELED) continue;
      item.ended = true;
      ++ended_;
      const auto& a = workload_.arrivals(static_cast<int>(index));
      tally_.Abandoned(where.queue.empty() ? a.queue() : where.queue, a.priority());
    }
    size_t batch_end = next_arrival;
    while (batch_end < static_cast<size_t>(arrivals) && batch_end - next_arrival < 50 &&
           workload_.arrivals(static_cast<int>(batch_end)).at_ms() == t) {
      ++batch_end;
    }
    if (batch_end > next_arrival) {
      acted = true;
      if (auto st = Arrive(next_arrival, batch_end); !st.ok()) return st;
      next_arrival = batch_end;
    }
    if (t == next_tick) {
      acted = true;
      if (auto st = Tick(++ticks % sweep_every == 0); !st.ok()) return st;
      next_tick += options_.timer_interval_ms;
    }
    if (acted) {
      if (auto st = React(); !st.ok()) return st;
    }
  }
  // Signed-in time over the window and the drain after it (the roster stays as at the end).
  tally_.SignedIn(SignedInMs(input_.roster, std::max(window, now())));
  v1::WhatIfRun run = tally_.Finish(arrivals);
  run.set_elapsed_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return run;
}

}  // namespace omniroute::whatif
