#include "load-tests/decision_paths.h"

#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"

namespace omniroute::bench::decision {

const char* PathName(Path p) {
  switch (p) {
    case Path::kAvailable:
      return "available";
    case Path::kEnqueue:
      return "enqueue";
    case Path::kComplete:
      return "complete";
  }
  return "?";
}

absl::StatusOr<Stats> PathRunner::Run(Path path, int warmup, int count) {
  std::vector<Sample> samples;
  samples.reserve(count);
  other_ = 0;
  totals_.clear();
  for (int i = 0; i < warmup + count; ++i) {
    recording_ = i >= warmup;
    if (interrupted_.load()) return absl::CancelledError("interrupted");
    absl::StatusOr<Sample> s = path == Path::kAvailable ? Available()
                               : path == Path::kEnqueue ? Enqueue()
                                                        : Complete();
    if (!s.ok()) {
      return absl::Status(s.status().code(),
                          absl::StrCat("scenario ", w_->size().name, ", ", PathName(path), ": ",
                                       s.status().message()));
    }
    if (i >= warmup) samples.push_back(*s);
  }
  if (auto st = w_->CheckSteadyState(); !st.ok()) return st;
  Stats stats = Summarize(samples, other_);
  for (const auto& [cmd, cost] : totals_) {
    stats.commands[cmd] = {static_cast<double>(cost.first) / count,
                           static_cast<double>(cost.second) / count};
  }
  return stats;
}

template <typename F>
absl::StatusOr<Sample> PathRunner::Measure(F call) {
  w_->clock().Advance(1);
  auto before = w_->CommandStats();
  if (!before.ok()) return before.status();
  auto t0 = std::chrono::steady_clock::now();
  absl::Status st = call();
  auto t1 = std::chrono::steady_clock::now();
  if (!st.ok()) return st;
  auto after = w_->CommandStats();
  if (!after.ok()) return after.status();
  Sample s;
  s.us = std::chrono::duration<double, std::micro>(t1 - t0).count();
  auto fcall = (*after)[kScriptCommand];
  auto fcall0 = (*before)[kScriptCommand];
  s.redis_us = fcall.second - fcall0.second;
  if (fcall.first - fcall0.first != 1) {
    return absl::InternalError(
        absl::StrCat(fcall.first - fcall0.first, " FCALL calls in one measured call"));
  }
  if (recording_) {
    for (const auto& [cmd, cost] : *after) {
      if (cmd == "info") continue;  // the probe itself
      auto it = before->find(cmd);
      int64_t calls = cost.first - (it == before->end() ? 0 : it->second.first);
      int64_t usec = cost.second - (it == before->end() ? 0 : it->second.second);
      if (calls > 0) {
        totals_[cmd].first += calls;
        totals_[cmd].second += usec;
      }
    }
  }
  return s;
}

absl::StatusOr<std::string> PathRunner::OneOffer(const std::string& agent) {
  auto open = w_->Card(w_->keys().Timers());
  if (!open.ok()) return open.status();
  if (*open != 1) return absl::InternalError(absl::StrCat(*open, " offers made, expected 1"));
  return w_->LastOffer(agent);
}

absl::Status PathRunner::Retire(const std::string& agent, const std::string& id) {
  auto& e = w_->engine();
  if (auto a = e.Accept(kTenant, agent, id); !a.ok()) return a.status();
  if (auto s = e.SetAgentState(kTenant, {agent, "away", {}, {}}); !s.ok()) return s.status();
  if (auto st = e.Complete(kTenant, agent, id).status(); !st.ok()) return st;
  auto open = w_->Card(w_->keys().Timers());
  if (!open.ok()) return open.status();
  if (*open != 0) return absl::InternalError("completing made an offer");
  return absl::OkStatus();
}

const std::string& PathRunner::NextRotating() {
  const auto& r = w_->rotating();
  return r[static_cast<size_t>((*cursor_)++) % r.size()];
}

absl::StatusOr<Sample> PathRunner::Available() {
  std::string agent = NextRotating();
  auto s = Measure([&] {
    auto r = w_->engine().SetAgentState(kTenant, {agent, "available", {}, {}});
    return r.status();
  });
  if (!s.ok()) return s.status();
  auto id = OneOffer(agent);
  if (!id.ok()) return id.status();
  if (auto st = Retire(agent, *id); !st.ok()) return st;
  if (auto st = w_->AddQueued(1); !st.ok()) return st;  // the head left: depth back to N
  return s;
}

absl::StatusOr<Sample> PathRunner::Enqueue() {
  std::string agent = NextRotating();
  if (auto st = w_->FreeAgentWithoutOffer(agent); !st.ok()) return st;
  auto item = w_->AddClassified(kUrgentPriority);
  if (!item.ok()) return item.status();
  auto s = Measure([&]() -> absl::Status {
    auto r = w_->engine().Enqueue({{kTenant, item->second, item->first}});
    if (!r.ok()) return r.status();
    if (r->size() != 1 || (*r)[0].outcome != "queued") {
      return absl::InternalError(absl::StrCat("enqueue: ", r->empty() ? "" : (*r)[0].outcome));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s.status();
  auto id = OneOffer(agent);
  if (!id.ok()) return id.status();
  if (*id != item->first) ++other_;
  if (auto st = Retire(agent, *id); !st.ok()) return st;
  return s;
}

absl::StatusOr<Sample> PathRunner::Complete() {
  const auto& busy = w_->busy();
  std::string agent = busy[static_cast<size_t>((*cursor_)++) % busy.size()];
  std::string held = w_->holding()[agent];
  auto s = Measure([&] { return w_->engine().Complete(kTenant, agent, held).status(); });
  if (!s.ok()) return s.status();
  auto id = OneOffer(agent);
  if (!id.ok()) return id.status();
  if (auto a = w_->engine().Accept(kTenant, agent, *id); !a.ok()) return a.status();
  w_->holding()[agent] = *id;
  if (auto st = w_->AddQueued(1); !st.ok()) return st;
  return s;
}

}  // namespace omniroute::bench::decision
