#include "load-tests/bench_agents.h"

#include <algorithm>

namespace omniroute::bench {

void OfferLog::Record(const std::string& interaction_id, Clock::time_point at) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!first_.emplace(interaction_id, at).second) duplicates_.fetch_add(1);
}

size_t OfferLog::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_.size();
}

std::unordered_map<std::string, Clock::time_point> OfferLog::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::unordered_map<std::string, Clock::time_point> out;
  out.swap(first_);
  return out;
}

Settler::Settler(sim::ApiClient* api, std::string agent_key, int threads)
    : api_(api), key_(std::move(agent_key)) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Loop(); });
}

Settler::~Settler() { Stop(); }

void Settler::Push(const std::string& agent, const std::string& interaction_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace_back(agent, interaction_id);
  }
  cv_.notify_one();
}

int64_t Settler::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(queue_.size()) + in_progress_;
}

SettleStats Settler::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Settler::Pause() { paused_.store(true); }

void Settler::Resume() {
  paused_.store(false);
  cv_.notify_all();
}

void Settler::Stop() {
  if (stop_.exchange(true)) return;
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void Settler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_.load()) {
    if (queue_.empty() || paused_.load()) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      continue;
    }
    auto [agent, id] = std::move(queue_.front());
    queue_.pop_front();
    ++in_progress_;
    lock.unlock();
    Settle(agent, id);
    lock.lock();
    --in_progress_;
  }
}

void Settler::Settle(const std::string& agent, const std::string& id) {
  v1::AcceptOfferRequest accept;
  accept.set_agent_id(agent);
  accept.set_interaction_id(id);
  v1::AcceptOfferResponse accepted;
  auto ctx = sim::ApiClient::Context(key_, std::chrono::seconds(10));
  bool ok = api_->routing().AcceptOffer(ctx.get(), accept, &accepted).ok();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ok ? ++stats_.accepted : ++stats_.accept_failed;
  }
  if (!ok) return;
  v1::CompleteInteractionRequest complete;
  complete.set_agent_id(agent);
  complete.set_interaction_id(id);
  v1::CompleteInteractionResponse completed;
  grpc::Status st;
  // At most 3 attempts; FAILED_PRECONDITION means an earlier attempt already completed it.
  for (int attempt = 0; attempt < 3 && !stop_.load(); ++attempt) {
    auto cctx = sim::ApiClient::Context(key_, std::chrono::seconds(10));
    st = api_->routing().CompleteInteraction(cctx.get(), complete, &completed);
    if (st.ok() || st.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  bool done = st.ok() || (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  std::lock_guard<std::mutex> lock(mu_);
  done ? ++stats_.completed : ++stats_.complete_failed;
}

WatchingAgent::WatchingAgent(sim::ApiClient* api, std::string agent_key, std::string agent_id,
                             std::map<v1::Channel, int> capacity, std::map<std::string, int> skills,
                             OfferLog* log, Settler* settler)
    : api_(api),
      key_(std::move(agent_key)),
      agent_id_(std::move(agent_id)),
      capacity_(std::move(capacity)),
      skills_(std::move(skills)),
      log_(log),
      settler_(settler) {}

WatchingAgent::~WatchingAgent() { StopWatching(); }

absl::Status WatchingAgent::Start() {
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_id_);
  req.set_state(v1::AGENT_STATE_AVAILABLE);
  for (const auto& [name, level] : skills_) {
    auto* s = req.add_skills();
    s->set_name(name);
    s->set_proficiency(level);
  }
  for (const auto& [channel, max] : capacity_) {
    auto* c = req.add_capacities();
    c->set_channel(channel);
    c->set_max(max);
  }
  v1::SetAgentStateResponse resp;
  auto ctx = sim::ApiClient::Context(key_);
  auto st = api_->routing().SetAgentState(ctx.get(), req, &resp);
  if (!st.ok()) {
    return absl::UnavailableError("SetAgentState " + agent_id_ + ": " + st.error_message());
  }
  if (resp.eligible_queues_size() == 0) {
    return absl::FailedPreconditionError("agent " + agent_id_ + " is eligible for no queue");
  }
  thread_ = std::thread([this] { WatchLoop(); });
  return absl::OkStatus();
}

void WatchingAgent::StopWatching() {
  if (stop_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (watch_ctx_ != nullptr) watch_ctx_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void WatchingAgent::LogOut() {
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_id_);
  req.set_state(v1::AGENT_STATE_OFFLINE);
  v1::SetAgentStateResponse resp;
  auto ctx = sim::ApiClient::Context(key_, std::chrono::seconds(5));
  (void)api_->routing().SetAgentState(ctx.get(), req, &resp);
}

void WatchingAgent::WatchLoop() {
  std::string last_offer_id;
  // Each pass is one WatchOffers stream; it ends on StopWatching (TryCancel) or a server error,
  // after which the loop reconnects 100 ms later, resuming after the last offer seen.
  while (!stop_.load()) {
    auto ctx = sim::ApiClient::Context(key_, std::chrono::hours(1));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_.load()) break;
      watch_ctx_ = ctx.get();
    }
    v1::WatchOffersRequest req;
    req.set_agent_id(agent_id_);
    req.set_after_offer_id(last_offer_id);
    auto reader = api_->routing().WatchOffers(ctx.get(), req);
    v1::Offer offer;
    while (reader->Read(&offer)) {
      auto arrived = Clock::now();
      last_offer_id = offer.offer_id();
      if (offer.rescinded()) {
        rescinded_.fetch_add(1);
        continue;
      }
      log_->Record(offer.interaction_id(), arrived);
      settler_->Push(agent_id_, offer.interaction_id());
    }
    (void)reader->Finish();
    {
      std::lock_guard<std::mutex> lock(mu_);
      watch_ctx_ = nullptr;
    }
    if (!stop_.load()) {
      reconnects_.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace omniroute::bench
