#include "load-tests/bench_agents.h"

#include <memory>
#include <utility>

namespace omniroute::bench {

// One WatchOffers call. It deletes itself in OnDone, after telling its agent, so the agent can
// wait for it to end but never frees it.
class WatchingAgent::Stream : public grpc::ClientReadReactor<v1::Offer> {
 public:
  Stream(WatchingAgent* agent, const std::string& after_offer_id)
      : agent_(agent),
        ctx_(sim::ApiClient::Context(agent->key_, std::chrono::hours(1))),
        last_offer_id_(after_offer_id) {
    req_.set_agent_id(agent->agent_id_);
    req_.set_after_offer_id(after_offer_id);
  }

  void Start() {
    agent_->api_->routing().async()->WatchOffers(ctx_.get(), &req_, this);
    StartRead(&offer_);
    StartCall();
  }

  // Safe before Start too: the context applies the cancellation when the call starts.
  void Cancel() { ctx_->TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    auto arrived = Clock::now();
    last_offer_id_ = offer_.offer_id();
    agent_->OnOffer(offer_, arrived);
    StartRead(&offer_);
  }

  void OnDone(const grpc::Status&) override {
    agent_->OnStreamDone(last_offer_id_);
    delete this;
  }

 private:
  WatchingAgent* agent_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  v1::WatchOffersRequest req_;
  v1::Offer offer_;
  std::string last_offer_id_;
};

WatchingAgent::WatchingAgent(sim::ApiClient* api, std::string agent_key, std::string agent_id,
                             std::map<v1::Channel, int> capacity, std::map<std::string, int> skills,
                             ArrivalLog* offers, Settler* settler, DelayedTasks* later)
    : api_(api),
      key_(std::move(agent_key)),
      agent_id_(std::move(agent_id)),
      capacity_(std::move(capacity)),
      skills_(std::move(skills)),
      offers_(offers),
      settler_(settler),
      later_(later) {}

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
  Open("", false);
  return absl::OkStatus();
}

void WatchingAgent::Open(const std::string& after_offer_id, bool reconnect) {
  Stream* stream = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reconnect) reconnect_pending_ = false;
    if (!stop_) stream = stream_ = new Stream(this, after_offer_id);
    // Under the lock: once it is released StopWatching may return and the agent be destroyed
    // (unless a stream was opened, which StopWatching waits for).
    cv_.notify_all();
  }
  // Started outside the lock: a reaction that takes the lock may run before Start returns.
  if (stream != nullptr) stream->Start();
}

void WatchingAgent::StopWatching() {
  std::unique_lock<std::mutex> lock(mu_);
  stop_ = true;
  if (stream_ != nullptr) stream_->Cancel();
  cv_.wait(lock, [this] { return stream_ == nullptr && !reconnect_pending_; });
}

void WatchingAgent::LogOut() {
  v1::SetAgentStateRequest req;
  req.set_agent_id(agent_id_);
  req.set_state(v1::AGENT_STATE_OFFLINE);
  v1::SetAgentStateResponse resp;
  auto ctx = sim::ApiClient::Context(key_, std::chrono::seconds(5));
  (void)api_->routing().SetAgentState(ctx.get(), req, &resp);
}

void WatchingAgent::OnOffer(const v1::Offer& offer, Clock::time_point arrived) {
  if (offer.rescinded()) {
    rescinded_.fetch_add(1);
    return;
  }
  // Pushed before it is recorded: once a round has seen every offer, the Settler has them all.
  settler_->Push(key_, agent_id_, offer.interaction_id());
  offers_->Record(offer.interaction_id(), arrived);
}

void WatchingAgent::OnStreamDone(const std::string& last_offer_id) {
  std::lock_guard<std::mutex> lock(mu_);
  stream_ = nullptr;
  if (!stop_) {
    // The stream ended on a server error (or its 1 h deadline): resume 100 ms later.
    reconnects_.fetch_add(1);
    reconnect_pending_ = true;
    later_->After(std::chrono::milliseconds(100),
                  [this, last_offer_id] { Open(last_offer_id, true); });
  }
  cv_.notify_all();
}

}  // namespace omniroute::bench
