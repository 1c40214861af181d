#include "tools/sim/sim_agent.h"

namespace omniroute::sim {

SimAgent::SimAgent(ApiClient* api, std::string api_key, std::string agent_id,
                   AgentBehavior behavior)
    : api_(api),
      api_key_(std::move(api_key)),
      agent_id_(std::move(agent_id)),
      behavior_(std::move(behavior)),
      rng_(behavior_.seed) {}

SimAgent::~SimAgent() { Stop(); }

bool SimAgent::Start() {
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_id_);
  req.set_state(v1::AGENT_STATE_AVAILABLE);
  for (const auto& [name, level] : behavior_.skills) {
    auto* s = req.add_skills();
    s->set_name(name);
    s->set_proficiency(level);
  }
  for (const auto& [channel, max] : behavior_.capacity) {
    auto* c = req.add_capacities();
    c->set_channel(channel);
    c->set_max(max);
  }
  v1::SetAgentStateResponse resp;
  auto ctx = ApiClient::Context(api_key_);
  if (!api_->routing().SetAgentState(ctx.get(), req, &resp).ok()) return false;
  watch_thread_ = std::thread([this] { WatchLoop(); });
  work_thread_ = std::thread([this] { WorkLoop(); });
  return true;
}

bool SimAgent::SetAvailable() {
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_id_);
  req.set_state(v1::AGENT_STATE_AVAILABLE);
  v1::SetAgentStateResponse resp;
  auto ctx = ApiClient::Context(api_key_);
  return api_->routing().SetAgentState(ctx.get(), req, &resp).ok();
}

void SimAgent::Stop() {
  if (stop_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (watch_ctx_ != nullptr) watch_ctx_->TryCancel();
  }
  cv_.notify_all();
  if (watch_thread_.joinable()) watch_thread_.join();
  if (work_thread_.joinable()) work_thread_.join();
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_id_);
  req.set_state(v1::AGENT_STATE_OFFLINE);
  v1::SetAgentStateResponse resp;
  auto ctx = ApiClient::Context(api_key_);
  (void)api_->routing().SetAgentState(ctx.get(), req, &resp);
}

AgentStats SimAgent::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void SimAgent::WatchLoop() {
  std::string last_offer_id;
  while (!stop_.load()) {
    auto ctx = ApiClient::Context(api_key_, std::chrono::hours(24));
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
      last_offer_id = offer.offer_id();
      HandleOffer(offer);
    }
    (void)reader->Finish();
    {
      std::lock_guard<std::mutex> lock(mu_);
      watch_ctx_ = nullptr;
    }
    if (!stop_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void SimAgent::HandleOffer(const v1::Offer& offer) {
  bool reject = false;
  int handle_ms = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (offer.rescinded()) {
      ++stats_.rescinded;
      return;
    }
    ++stats_.offers;
    if (behavior_.never_answers) {
      ++stats_.ignored;
      return;
    }
    reject = std::uniform_real_distribution<double>(0, 1)(rng_) < behavior_.reject_probability;
    handle_ms =
        std::uniform_int_distribution<int>(behavior_.handle_ms_min, behavior_.handle_ms_max)(rng_);
  }
  if (reject) {
    v1::RejectOfferRequest req;
    req.set_agent_id(agent_id_);
    req.set_interaction_id(offer.interaction_id());
    req.set_reason("simulated_decline");
    v1::RejectOfferResponse resp;
    auto ctx = ApiClient::Context(api_key_);
    bool ok = api_->routing().RejectOffer(ctx.get(), req, &resp).ok();
    std::lock_guard<std::mutex> lock(mu_);
    ok ? ++stats_.rejected : ++stats_.accept_failed;
    return;
  }
  v1::AcceptOfferRequest req;
  req.set_agent_id(agent_id_);
  req.set_interaction_id(offer.interaction_id());
  v1::AcceptOfferResponse resp;
  auto ctx = ApiClient::Context(api_key_);
  bool ok = api_->routing().AcceptOffer(ctx.get(), req, &resp).ok();
  std::lock_guard<std::mutex> lock(mu_);
  if (!ok) {
    ++stats_.accept_failed;
    return;
  }
  ++stats_.accepted;
  work_.emplace(std::chrono::steady_clock::now() + std::chrono::milliseconds(handle_ms),
                offer.interaction_id());
  cv_.notify_all();
}

void SimAgent::WorkLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_.load()) {
    if (work_.empty()) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      continue;
    }
    auto due = work_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    std::string id = work_.begin()->second;
    work_.erase(work_.begin());
    lock.unlock();
    v1::CompleteInteractionRequest req;
    req.set_agent_id(agent_id_);
    req.set_interaction_id(id);
    v1::CompleteInteractionResponse resp;
    bool ok = false;
    for (int attempt = 0; attempt < 5 && !ok && !stop_.load(); ++attempt) {
      auto ctx = ApiClient::Context(api_key_);
      auto st = api_->routing().CompleteInteraction(ctx.get(), req, &resp);
      // FAILED_PRECONDITION means an earlier attempt already completed it.
      ok = st.ok() || st.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
    }
    lock.lock();
    if (ok) {
      ++stats_.completed;
      stats_.completed_ids.push_back(id);
    }
  }
}

}  // namespace omniroute::sim
