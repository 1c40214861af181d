#include "tools/sim/sim_agent.h"

#include <algorithm>

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
  if (!behavior_.capacity_profile.empty()) {
    req.set_capacity_profile(behavior_.capacity_profile);
  } else {
    for (const auto& [channel, max] : behavior_.capacity) {
      auto* c = req.add_capacities();
      c->set_channel(channel);
      c->set_max(max);
    }
  }
  v1::SetAgentStateResponse resp;
  auto ctx = ApiClient::Context(api_key_);
  if (!api_->routing().SetAgentState(ctx.get(), req, &resp).ok()) return false;
  watch_thread_ = std::thread([this] { WatchLoop(); });
  work_thread_ = std::thread([this] { WorkLoop(); });
  bool changes_skills = behavior_.skill_change_every_ms > 0 && !behavior_.skill_sets.empty();
  if (behavior_.break_every_ms > 0 || changes_skills || behavior_.comeback_ms >= 0) {
    life_thread_ = std::thread([this] { LifeLoop(); });
  }
  return true;
}

bool SimAgent::SendState(v1::AgentState state, const std::map<std::string, int>* skills) {
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_id_);
  req.set_state(state);
  if (skills != nullptr) {
    for (const auto& [name, level] : *skills) {
      auto* s = req.add_skills();
      s->set_name(name);
      s->set_proficiency(level);
    }
  }
  int lapsed_before = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lapsed_before = lapsed_;
  }
  v1::SetAgentStateResponse resp;
  auto ctx = ApiClient::Context(api_key_);
  bool ok = api_->routing().SetAgentState(ctx.get(), req, &resp).ok();
  if (ok && state == v1::AGENT_STATE_AVAILABLE) {
    // The service clears the agent's missed-offer count when it becomes available; lapses
    // seen while the call ran may have come after that, so they still count.
    std::lock_guard<std::mutex> lock(mu_);
    lapsed_ -= lapsed_before;
  }
  return ok;
}

bool SimAgent::SetAvailable() { return SendState(v1::AGENT_STATE_AVAILABLE, nullptr); }

bool SimAgent::Settle() {
  settled_.store(true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    comeback_at_.reset();
  }
  life_cv_.notify_all();
  if (life_thread_.joinable()) life_thread_.join();
  return SetAvailable();
}

void SimAgent::Stop() {
  if (stop_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (watch_ctx_ != nullptr) watch_ctx_->TryCancel();
  }
  cv_.notify_all();
  life_cv_.notify_all();
  if (watch_thread_.joinable()) watch_thread_.join();
  if (work_thread_.joinable()) work_thread_.join();
  if (life_thread_.joinable()) life_thread_.join();
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

int64_t SimAgent::BusyMs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.busy_ms;
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
      if (unanswered_.erase(offer.interaction_id()) > 0 &&
          ++lapsed_ >= std::max(1, behavior_.away_after_missed) && behavior_.comeback_ms >= 0 &&
          !comeback_at_ && !settled_.load()) {
        // The service may have set the agent away: it counts lapses since the agent was last
        // set available, resetting on accept too, so its count is never above lapsed_ (the
        // agent cannot see its state, and counts a canceled offer as lapsed). The agent checks
        // in: at worst a needless SetAgentState(AVAILABLE).
        comeback_at_ =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(behavior_.comeback_ms);
        life_cv_.notify_all();
      }
      return;
    }
    ++stats_.offers;
    if (behavior_.never_answers) {
      ++stats_.ignored;
      unanswered_.insert(offer.interaction_id());
      return;
    }
    if (behavior_.miss_probability > 0 && !settled_.load() &&
        std::uniform_real_distribution<double>(0, 1)(rng_) < behavior_.miss_probability) {
      ++stats_.ignored;
      ++stats_.missed;
      unanswered_.insert(offer.interaction_id());
      return;
    }
    reject = std::uniform_real_distribution<double>(0, 1)(rng_) < behavior_.reject_probability &&
             !settled_.load();
    auto range = std::make_pair(behavior_.handle_ms_min, behavior_.handle_ms_max);
    if (auto it = behavior_.handle_ms_by_channel.find(offer.channel());
        it != behavior_.handle_ms_by_channel.end()) {
      range = it->second;
    }
    handle_ms = std::uniform_int_distribution<int>(range.first, range.second)(rng_);
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
    if (ok) {
      ++stats_.rejected;
    } else {
      ++stats_.accept_failed;
      unanswered_.insert(offer.interaction_id());
    }
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
    // Lapsed (or canceled) before the answer: its rescind follows in the offer stream.
    ++stats_.accept_failed;
    unanswered_.insert(offer.interaction_id());
    return;
  }
  ++stats_.accepted;
  stats_.busy_ms += handle_ms;
  work_.emplace(std::chrono::steady_clock::now() + std::chrono::milliseconds(handle_ms),
                offer.interaction_id());
  cv_.notify_all();
}

std::chrono::steady_clock::duration SimAgent::RandomGap(int mean_ms) {
  double ms = std::exponential_distribution<double>(1.0 / std::max(1, mean_ms))(rng_);
  return std::chrono::microseconds(static_cast<int64_t>(ms * 1000));
}

void SimAgent::LifeLoop() {
  using SteadyClock = std::chrono::steady_clock;
  const auto never = SteadyClock::time_point::max();
  const bool breaks = behavior_.break_every_ms > 0;
  const bool changes = behavior_.skill_change_every_ms > 0 && !behavior_.skill_sets.empty();
  std::unique_lock<std::mutex> lock(mu_);
  auto now = SteadyClock::now();
  auto next_break = breaks ? now + RandomGap(behavior_.break_every_ms) : never;
  auto next_change = changes ? now + RandomGap(behavior_.skill_change_every_ms) : never;
  auto break_end = never;  // when the break in progress ends (never: not on a break)
  // Runs one state change without holding the lock.
  auto send = [&](v1::AgentState state, const std::map<std::string, int>* skills) {
    lock.unlock();
    bool ok = SendState(state, skills);
    lock.lock();
    if (!ok) ++stats_.state_failed;
    return ok;
  };
  while (!stop_.load() && !settled_.load()) {
    now = SteadyClock::now();
    auto due = std::min({next_change, break_end != never ? break_end : next_break,
                         comeback_at_ ? *comeback_at_ : never});
    if (now < due) {
      life_cv_.wait_for(lock, std::min<SteadyClock::duration>(due - now, std::chrono::seconds(1)));
      continue;
    }
    if (comeback_at_ && *comeback_at_ <= now) {
      comeback_at_.reset();
      // On a break the break's end brings the agent back.
      if (break_end == never && send(v1::AGENT_STATE_AVAILABLE, nullptr)) ++stats_.comebacks;
    } else if (break_end <= now) {
      break_end = never;
      next_break = now + RandomGap(behavior_.break_every_ms);
      send(v1::AGENT_STATE_AVAILABLE, nullptr);
    } else if (break_end == never && next_break <= now) {
      int ms =
          std::uniform_int_distribution<int>(behavior_.break_ms_min, behavior_.break_ms_max)(rng_);
      break_end = now + std::chrono::milliseconds(ms);
      ++stats_.breaks;
      send(v1::AGENT_STATE_AWAY, nullptr);
    } else if (next_change <= now) {
      next_change = now + RandomGap(behavior_.skill_change_every_ms);
      auto skills = behavior_.skill_sets[rng_() % behavior_.skill_sets.size()];
      // The agent keeps the state it chose: away on a break, else available.
      if (send(break_end != never ? v1::AGENT_STATE_AWAY : v1::AGENT_STATE_AVAILABLE, &skills)) {
        ++stats_.skill_changes;
      }
    }
  }
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
    bool escalate =
        behavior_.escalate_probability > 0 &&
        std::uniform_real_distribution<double>(0, 1)(rng_) < behavior_.escalate_probability;
    lock.unlock();
    if (escalate) {
      v1::EscalateInteractionRequest req;
      req.set_agent_id(agent_id_);
      req.set_interaction_id(id);
      req.set_reason("customer asked for a person");
      (*req.mutable_context())["bot"] = agent_id_;
      (*req.mutable_context())["summary"] = "identity verified; the reset link did not help";
      v1::EscalateInteractionResponse resp;
      auto ctx = ApiClient::Context(api_key_);
      auto st = api_->routing().EscalateInteraction(ctx.get(), req, &resp);
      lock.lock();
      if (st.ok()) {
        ++stats_.escalated;
        continue;
      }
      lock.unlock();  // not deflected work after all (or gone): complete it as usual
    }
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
