#include "tests/e2e/workload_scenario_parts.h"

#include <utility>

#include "absl/strings/numbers.h"

namespace omniroute::e2e {
namespace {

using sim::ApiClient;

constexpr auto kStreamDeadline = std::chrono::hours(1);
constexpr auto kResumePause = std::chrono::milliseconds(100);
constexpr auto kRetryPause = std::chrono::milliseconds(100);
constexpr int kMaxAttempts = 20;

}  // namespace

bool Retryable(const grpc::Status& st) {
  return st.error_code() == grpc::StatusCode::UNAVAILABLE ||
         st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// ---- ActionTimers ------------------------------------------------------------------------

ActionTimers::ActionTimers() : thread_([this] { Loop(); }) {}

ActionTimers::~ActionTimers() { Stop(); }

void ActionTimers::At(ScenarioClock::time_point due, std::function<void()> action) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.emplace(due, seq_++, std::move(action));
  cv_.notify_all();
}

void ActionTimers::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void ActionTimers::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (pending_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto due = std::get<0>(pending_.top());
    if (ScenarioClock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    auto action = std::get<2>(pending_.top());
    pending_.pop();
    lock.unlock();
    action();
    lock.lock();
  }
}

// ---- ScenarioLedger ----------------------------------------------------------------------

ScenarioLedger::ScenarioLedger(const std::vector<ScenarioArrival>& arrivals)
    : arrivals_(arrivals), ids_(arrivals.size()), accepted_(arrivals.size(), false) {
  for (size_t i = 0; i < arrivals.size(); ++i) by_key_.emplace(arrivals[i].key, i);
}

std::optional<size_t> ScenarioLedger::IndexOfKey(const std::string& key) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

void ScenarioLedger::SetInteractionId(size_t i, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  ids_[i] = id;
}

std::string ScenarioLedger::InteractionId(size_t i) const {
  std::lock_guard<std::mutex> lock(mu_);
  return ids_[i];
}

void ScenarioLedger::SetAccepted(size_t i) {
  std::lock_guard<std::mutex> lock(mu_);
  accepted_[i] = true;
}

bool ScenarioLedger::Accepted(size_t i) const {
  std::lock_guard<std::mutex> lock(mu_);
  return accepted_[i];
}

void ScenarioLedger::Problem(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  ++problems_[what];
}

std::vector<std::string> ScenarioLedger::Problems() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [what, n] : problems_) out.push_back(what + " (x" + std::to_string(n) + ")");
  return out;
}

// ---- StreamFollower ----------------------------------------------------------------------

StreamFollower::StreamFollower(std::string key, std::string name, ScenarioLedger* ledger)
    : key_(std::move(key)), name_(std::move(name)), ledger_(ledger) {}

StreamFollower::~StreamFollower() { Stop(); }

void StreamFollower::Start(ReadFn read) {
  thread_ = std::thread([this, read = std::move(read)] { Loop(read); });
}

void StreamFollower::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (ctx_ != nullptr) ctx_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void StreamFollower::Loop(const ReadFn& read) {
  while (true) {
    auto ctx = ApiClient::Context(key_, kStreamDeadline);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      ctx_ = ctx.get();
    }
    grpc::Status st = read(ctx.get());
    {
      std::lock_guard<std::mutex> lock(mu_);
      ctx_ = nullptr;
      if (stop_) return;
    }
    ledger_->Problem(name_ + " ended (resumed): " + st.error_message());
    std::this_thread::sleep_for(kResumePause);
  }
}

// ---- FeedFollower ------------------------------------------------------------------------

FeedFollower::FeedFollower(ApiClient* api, const std::string& key, ScenarioLedger* ledger)
    : api_(api), stream_(key, "WatchEvents", ledger) {}

void FeedFollower::Start() {
  stream_.Start([this](grpc::ClientContext* ctx) {
    v1::WatchEventsRequest req;
    req.set_after_event_id(last_);
    auto reader = api_->routing().WatchEvents(ctx, req);
    v1::Event e;
    while (reader->Read(&e)) {
      last_ = e.event_id();
      Take(e);
    }
    return reader->Finish();
  });
}

std::optional<FeedFacts> FeedFollower::Facts(const std::string& interaction_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = facts_.find(interaction_id);
  if (it == facts_.end()) return std::nullopt;
  return it->second;
}

size_t FeedFollower::CountEnded(const std::vector<std::string>& ids) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& id : ids) {
    auto it = facts_.find(id);
    if (it != facts_.end() && !it->second.end_type.empty()) ++n;
  }
  return n;
}

void FeedFollower::Take(const v1::Event& e) {
  const std::string& type = e.type();
  if (type != "accepted" && type != "completed" && type != "canceled" &&
      type != "rejected_by_policy") {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  FeedFacts& f = facts_[e.interaction_id()];
  if (type == "accepted") {
    f.accepted = true;
    f.accepted_queue = e.queue();
    f.agent = e.agent_id();
    f.accepted_ms = e.at_ms();
    auto it = e.detail().find("wait_ms");
    if (it == e.detail().end() || !absl::SimpleAtoi(it->second, &f.wait_ms)) f.wait_ms = -1;
    return;
  }
  f.end_type = type;
  f.end_queue = e.queue();
  f.ended_ms = e.at_ms();
  if (type == "canceled") {
    auto it = e.detail().find("from");
    f.canceled_from = it == e.detail().end() ? "" : it->second;
  }
}

// ---- ScenarioAgentLoop -------------------------------------------------------------------

ScenarioAgentLoop::ScenarioAgentLoop(ApiClient* api, std::string key, ScenarioAgent agent,
                                     ScenarioLedger* ledger, ActionTimers* timers)
    : api_(api),
      key_(std::move(key)),
      agent_(std::move(agent)),
      ledger_(ledger),
      timers_(timers),
      stream_(key_, "WatchOffers", ledger) {}

grpc::Status ScenarioAgentLoop::LogIn() {
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_.id);
  req.set_state(v1::AGENT_STATE_AVAILABLE);
  for (const auto& [name, level] : agent_.skills) {
    auto* s = req.add_skills();
    s->set_name(name);
    s->set_proficiency(level);
  }
  for (const auto& [channel, max] : agent_.capacity) {
    auto* c = req.add_capacities();
    c->set_channel(channel);
    c->set_max(max);
  }
  v1::SetAgentStateResponse resp;
  return api_->routing().SetAgentState(ApiClient::Context(key_).get(), req, &resp);
}

grpc::Status ScenarioAgentLoop::LogOut() {
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_.id);
  req.set_state(v1::AGENT_STATE_OFFLINE);
  v1::SetAgentStateResponse resp;
  return api_->routing().SetAgentState(ApiClient::Context(key_).get(), req, &resp);
}

void ScenarioAgentLoop::Start() {
  // after_offer_id "" at first: open offers first, then new ones.
  stream_.Start([this](grpc::ClientContext* ctx) {
    v1::WatchOffersRequest req;
    req.set_agent_id(agent_.id);
    req.set_after_offer_id(last_);
    auto reader = api_->routing().WatchOffers(ctx, req);
    v1::Offer offer;
    while (reader->Read(&offer)) {
      last_ = offer.offer_id();
      if (!offer.rescinded()) Take(offer);
    }
    return reader->Finish();
  });
}

void ScenarioAgentLoop::Take(const v1::Offer& offer) {
  v1::AcceptOfferRequest req;
  req.set_agent_id(agent_.id);
  req.set_interaction_id(offer.interaction_id());
  v1::AcceptOfferResponse resp;
  grpc::Status st;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    // A retry after a lost answer is safe: the agent's accept answers as it did.
    st = api_->routing().AcceptOffer(ApiClient::Context(key_).get(), req, &resp);
    if (!Retryable(st)) break;
    std::this_thread::sleep_for(kRetryPause);
  }
  if (!st.ok()) {
    // The customer hung up (or the offer lapsed) first: the feed tells how it ended.
    if (st.error_code() != grpc::StatusCode::FAILED_PRECONDITION &&
        st.error_code() != grpc::StatusCode::NOT_FOUND) {
      ledger_->Problem("AcceptOffer: " + st.error_message());
    }
    return;
  }
  // The handle time comes with the interaction (Submit's attributes), so an offer that arrives
  // before Submit has returned needs nothing from the submitter.
  const auto& attributes = resp.interaction().attributes();
  int64_t handle_ms = 0;
  auto key = attributes.find("sim_key");
  auto index = key == attributes.end() ? std::nullopt : ledger_->IndexOfKey(key->second);
  if (index) {
    ledger_->SetAccepted(*index);
    handle_ms = ledger_->arrivals()[*index].handle_ms;
  } else {
    ledger_->Problem("offered work not from this run (completed at once)");
  }
  std::string id = offer.interaction_id();
  timers_->At(ScenarioClock::now() + std::chrono::milliseconds(handle_ms),
              [this, id] { Complete(id, 0); });
}

void ScenarioAgentLoop::Complete(const std::string& interaction_id, int attempt) {
  v1::CompleteInteractionRequest req;
  req.set_agent_id(agent_.id);
  req.set_interaction_id(interaction_id);
  v1::CompleteInteractionResponse resp;
  auto st = api_->routing().CompleteInteraction(ApiClient::Context(key_).get(), req, &resp);
  if (st.ok()) return;
  if (Retryable(st) && attempt + 1 < kMaxAttempts) {
    timers_->At(ScenarioClock::now() + kRetryPause,
                [this, interaction_id, attempt] { Complete(interaction_id, attempt + 1); });
    return;
  }
  ledger_->Problem("CompleteInteraction: " + st.error_message());
}

}  // namespace omniroute::e2e
