#include "tools/demo/event_tracker.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "tools/demo/tenant_setup.h"
#include "tools/sim/percentile.h"

namespace omniroute::demo {

void EventTracker::Run(sim::ApiClient& api, const std::string& key, const std::string& tenant,
                       std::string after_event_id) {
  while (!stop_.load()) {
    auto ctx = sim::ApiClient::Context(key, std::chrono::hours(24));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_.load()) break;
      ctx_ = ctx.get();
    }
    v1::WatchEventsRequest req;
    req.set_tenant_id(tenant);
    req.set_after_event_id(after_event_id);
    auto reader = api.routing().WatchEvents(ctx.get(), req);
    v1::Event e;
    while (reader->Read(&e)) {
      after_event_id = e.event_id();
      Apply(e);
    }
    auto st = reader->Finish();
    {
      std::lock_guard<std::mutex> lock(mu_);
      ctx_ = nullptr;
      connected_ = false;
    }
    if (!stop_.load()) {
      if (!st.ok() && st.error_code() != grpc::StatusCode::UNAVAILABLE) {
        std::fprintf(stderr, "omniroute-demo: event feed: %s\n", st.error_message().c_str());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

void EventTracker::Stop() {
  stop_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  if (ctx_ != nullptr) ctx_->TryCancel();
}

EventTracker::Snapshot EventTracker::Get(int64_t window_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Snapshot s = snap_;
  s.open_offers = static_cast<int64_t>(open_.size());
  s.connected = connected_;
  int64_t cutoff = clock_->NowMs() - window_ms;
  while (!waits_.empty() && waits_.front().first < cutoff) waits_.pop_front();
  if (!waits_.empty()) {
    std::vector<double> w;
    w.reserve(waits_.size());
    for (const auto& [at, ms] : waits_) w.push_back(static_cast<double>(ms));
    std::sort(w.begin(), w.end());
    s.wait_p50_ms = static_cast<int64_t>(sim::Percentile(w, 50));
    s.wait_p99_ms = static_cast<int64_t>(sim::Percentile(w, 99));
  }
  return s;
}

void EventTracker::Apply(const v1::Event& e) {
  std::lock_guard<std::mutex> lock(mu_);
  connected_ = true;
  ++snap_.events;
  const std::string& t = e.type();
  const std::string& id = e.interaction_id();
  if (t == "offered") {
    ++snap_.offers_total;
    open_.insert(id);
  } else if (t == "accepted") {
    ++snap_.accepted;
    open_.erase(id);
    auto it = e.detail().find("wait_ms");
    int64_t wait = 0;
    if (it != e.detail().end() && absl::SimpleAtoi(it->second, &wait)) {
      waits_.emplace_back(e.at_ms() > 0 ? e.at_ms() : clock_->NowMs(), wait);
      if (waits_.size() > 200000) waits_.pop_front();  // bounded memory on a long demo
    }
  } else if (t == "rejected") {
    ++snap_.rejected;
    open_.erase(id);
  } else if (t == "offer_timeout") {
    ++snap_.offer_timeouts;
    open_.erase(id);
  } else if (t == "canceled") {
    open_.erase(id);
  } else if (t == "completed") {
    ++snap_.completed;
    if (e.queue() == kSelfServiceQueue) ++snap_.deflected;
  } else if (t == "classified") {
    ++snap_.classified;
    auto it = e.detail().find("source");
    std::string source = it == e.detail().end() ? "" : it->second;
    if (source == "rule") ++snap_.by_rule;
    if (source == "model") ++snap_.by_model;
    if (source == "low_confidence" || source == "out_of_scope") ++snap_.by_low_confidence;
    if (source == "default") ++snap_.by_default;
  } else if (t == "escalated") {
    ++snap_.escalated;
  } else if (t == "step_opened") {
    ++snap_.steps_opened;
  }
}

}  // namespace omniroute::demo
