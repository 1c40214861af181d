// What-if replay: checks of the input, the scratch Redis set up as the workload's tenant.
#include "services/whatif/replay.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/tenant_config.h"
#include "services/common/validation.h"
#include "services/whatif/replayer.h"

namespace omniroute::whatif {

namespace {
constexpr int64_t kEndedTtlSeconds = 30;
}  // namespace

absl::Status ValidateWorkload(const v1::Workload& w) {
  if (auto st = ValidateTenantId("workload.tenant_id", w.tenant_id()); !st.ok()) return st;
  if (w.start_ms() <= 0 || w.end_ms() <= w.start_ms()) {
    return absl::InvalidArgumentError(
        "workload.end_ms: the window must have start_ms > 0 and end_ms > start_ms");
  }
  std::set<std::string> queues;
  for (int i = 0; i < w.queues_size(); ++i) {
    if (auto st = ValidateQueue(w.queues(i)); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("workload.queues[", i, "].", st.message()));
    }
    queues.insert(w.queues(i).name());
  }
  int64_t window = w.end_ms() - w.start_ms(), last = 0;
  for (int i = 0; i < w.arrivals_size(); ++i) {
    const auto& a = w.arrivals(i);
    std::string at = absl::StrCat("workload.arrivals[", i, "]");
    if (a.at_ms() < last || a.at_ms() >= window) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".at_ms: arrivals must be in time order inside the window"));
    }
    last = a.at_ms();
    if (a.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(a.channel())) {
      return absl::InvalidArgumentError(absl::StrCat(at, ".channel: required"));
    }
    if (!a.queue().empty() && queues.count(a.queue()) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".queue: no queue named '", a.queue(), "' in workload.queues"));
    }
    if (a.handle_ms() < 0 || a.patience_ms() < 0 || a.wait_ms() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": negative time"));
    }
  }
  last = 0;
  for (int i = 0; i < w.roster_size(); ++i) {
    const auto& c = w.roster(i);
    std::string at = absl::StrCat("workload.roster[", i, "]");
    if (c.at_ms() < last) {
      return absl::InvalidArgumentError(absl::StrCat(at, ".at_ms: changes must be in time order"));
    }
    last = c.at_ms();
    if (auto st = ValidateExternalId(at + ".agent_id", c.agent_id()); !st.ok()) return st;
  }
  return absl::OkStatus();
}

ReplayInput CurrentInput(const v1::Workload& w) {
  ReplayInput in;
  in.config = w.config();
  in.queues.assign(w.queues().begin(), w.queues().end());
  in.roster.assign(w.roster().begin(), w.roster().end());
  return in;
}

absl::StatusOr<v1::WhatIfRun> Replay(const redis::Endpoint& scratch, const v1::Workload& workload,
                                     const ReplayInput& input, const ReplayOptions& options) {
  Replayer replayer(scratch, workload, input, options);
  return replayer.Run();
}

Replayer::Replayer(const redis::Endpoint& scratch, const v1::Workload& workload,
                   const ReplayInput& input, const ReplayOptions& options)
    : workload_(workload),
      input_(input),
      options_(options),
      keys_(workload.tenant_id()),
      pool_(scratch, 1, std::chrono::milliseconds(30000)),
      // Ended interactions expire after kEndedTtlSeconds (real time: Redis's clock), so a long
      // replay holds only the work still open.
      engine_(&pool_, &redis::Scripts::Embedded(), &clock_,
              routing::RoutingOptions{100000, kEndedTtlSeconds, options.skip_ms}),
      intake_(&pool_, &redis::Scripts::Embedded(), &clock_, &ids_,
              intake::IntakeOptions{100000, kEndedTtlSeconds}),
      rng_(options.seed),
      tally_(SlaSeconds(input.queues)) {}

absl::Status Replayer::SetUp() {
  clock_.Set(workload_.start_ms());
  {
    auto conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    std::vector<std::vector<std::string>> cmds = {
        {"FLUSHALL"},
        {"XGROUP", "CREATE", keys_.IntakeStream(), kClassificationGroup, "$", "MKSTREAM"},
        {"XGROUP", "CREATE", keys_.ClassifiedStream(), kRoutingGroup, "$", "MKSTREAM"}};
    auto replies = (*conn)->Pipeline(cmds);
    if (!replies.ok()) return replies.status();
    if (auto st = redis::Scripts::Embedded().Load(**conn); !st.ok()) return st;
  }
  // Queues name each other (overflow, bullseye add_queues): put them in rounds until all are in.
  std::vector<const v1::Queue*> left;
  for (const auto& q : input_.queues) left.push_back(&q);
  while (!left.empty()) {
    std::vector<const v1::Queue*> next;
    absl::Status first_error;
    for (const auto* q : left) {
      auto written = engine_.PutQueue(workload_.tenant_id(), QueueWithDefaults(*q));
      if (written.ok()) continue;
      next.push_back(q);
      if (first_error.ok()) {
        first_error = absl::InvalidArgumentError(
            absl::StrCat("queue ", q->name(), ": ", written.status().message()));
      }
    }
    if (next.size() == left.size()) return first_error;  // no progress: they cannot all be put
    left = std::move(next);
  }
  if (auto st = engine_.PutConfig(workload_.tenant_id(), input_.config); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", st.status().message()));
  }
  for (const auto& q : input_.queues) wrap_ms_[q.name()] = int64_t{q.wrap_up_seconds()} * 1000;
  // Recorded handle times by the queue that answered (drawn for work served in the replay only).
  for (const auto& a : workload_.arrivals()) {
    if (a.outcome() != "answered" || a.handle_ms() <= 0) continue;
    handles_[a.answered_queue()].push_back(a.handle_ms());
    handles_[""].push_back(a.handle_ms());
  }
  bool needs_draws = false;
  for (const auto& a : workload_.arrivals()) needs_draws = needs_draws || a.handle_ms() <= 0;
  if (needs_draws && handles_.empty()) {
    return absl::FailedPreconditionError(
        "workload: no answered interaction has a handle time, so the replay cannot tell how long "
        "agents hold the work that was not answered in the recording");
  }
  // Patience: known for work that gave up; drawn (seeded) beyond its wait for the rest.
  PatienceModel patience(workload_);
  items_.resize(workload_.arrivals_size());
  patience_ms_.resize(workload_.arrivals_size());
  for (int i = 0; i < workload_.arrivals_size(); ++i) {
    const auto& a = workload_.arrivals(i);
    if (a.patience_ms() > 0) {
      patience_ms_[i] = a.patience_ms();
    } else {
      int64_t known = a.outcome() == "answered" ? a.wait_ms() : 0;
      patience_ms_[i] = patience.Draw(a.queue(), known, rng_).value_or(0);
    }
  }
  return absl::OkStatus();
}

int64_t Replayer::HandleMs(int64_t index, const std::string& queue) {
  int64_t recorded = workload_.arrivals(index).handle_ms();
  if (recorded > 0) return recorded;
  auto it = handles_.find(queue);
  if (it == handles_.end()) it = handles_.find("");  // SetUp made sure there is one
  std::uniform_int_distribution<size_t> pick(0, it->second.size() - 1);
  return it->second[pick(rng_)];
}

}  // namespace omniroute::whatif
