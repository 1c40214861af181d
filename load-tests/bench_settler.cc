#include "load-tests/bench_settler.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

namespace omniroute::bench {

// One offer being settled. The context is replaced for each call (a ClientContext serves one).
struct Settler::Call {
  std::unique_ptr<grpc::ClientContext> ctx;
  std::string key;
  v1::AcceptOfferRequest accept;
  v1::AcceptOfferResponse accepted;
  v1::CompleteInteractionRequest complete;
  v1::CompleteInteractionResponse completed;
  int attempt = 0;
};

Settler::Settler(sim::ApiClient* api, int concurrency, ArrivalLog* completions, DelayedTasks* later)
    : api_(api), concurrency_(std::max(1, concurrency)), completions_(completions), later_(later) {}

Settler::~Settler() { Stop(); }

Settler::Call* Settler::NextLocked() {
  if (stop_ || paused_ || queue_.empty() || in_flight_ >= concurrency_) return nullptr;
  auto call = std::make_unique<Call>();
  Offer& offer = queue_.front();
  call->key = std::move(offer.key);
  call->accept.set_agent_id(offer.agent);
  call->accept.set_interaction_id(offer.interaction_id);
  call->complete.set_agent_id(offer.agent);
  call->complete.set_interaction_id(offer.interaction_id);
  queue_.pop_front();
  ++in_flight_;
  return call.release();
}

void Settler::Push(const std::string& agent_key, const std::string& agent,
                   const std::string& interaction_id) {
  Call* call = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    queue_.push_back({agent_key, agent, interaction_id});
    call = NextLocked();
  }
  if (call != nullptr) Accept(call);
}

int64_t Settler::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(queue_.size()) + in_flight_;
}

SettleStats Settler::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Settler::Pause() {
  std::lock_guard<std::mutex> lock(mu_);
  paused_ = true;
}

void Settler::Resume() {
  std::vector<Call*> calls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    paused_ = false;
    while (Call* c = NextLocked()) calls.push_back(c);
  }
  for (Call* c : calls) Accept(c);
}

void Settler::Stop() {
  std::unique_lock<std::mutex> lock(mu_);
  stop_ = true;
  queue_.clear();
  idle_.wait(lock, [this] { return in_flight_ == 0; });
}

void Settler::Accept(Call* call) {
  call->ctx = sim::ApiClient::Context(call->key, std::chrono::seconds(10));
  api_->routing().async()->AcceptOffer(call->ctx.get(), &call->accept, &call->accepted,
                                       [this, call](grpc::Status st) {
                                         if (st.ok()) {
                                           Complete(call);
                                         } else {
                                           Finish(call, false, false);
                                         }
                                       });
}

void Settler::Complete(Call* call) {
  call->ctx = sim::ApiClient::Context(call->key, std::chrono::seconds(10));
  api_->routing().async()->CompleteInteraction(
      call->ctx.get(), &call->complete, &call->completed,
      [this, call](grpc::Status st) { OnCompleted(call, st); });
}

void Settler::OnCompleted(Call* call, const grpc::Status& st) {
  bool stopping = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping = stop_;
  }
  // At most 3 attempts, 50 ms apart (the callback must not sleep: the retry is a delayed task).
  if (st.error_code() == grpc::StatusCode::UNAVAILABLE && ++call->attempt < 3 && !stopping) {
    later_->After(std::chrono::milliseconds(50), [this, call] { Complete(call); });
    return;
  }
  // FAILED_PRECONDITION: an earlier attempt, whose answer was lost, already completed it.
  bool done = st.ok() || st.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
  if (done) completions_->Record(call->complete.interaction_id(), Clock::now());
  Finish(call, true, done);
}

void Settler::Finish(Call* call, bool accepted, bool completed) {
  delete call;
  Call* next = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepted) {
      ++stats_.accept_failed;
    } else {
      ++stats_.accepted;
      completed ? ++stats_.completed : ++stats_.complete_failed;
    }
    --in_flight_;
    next = NextLocked();
    // Under the lock: Stop may return (and the Settler be destroyed) once it is released.
    idle_.notify_all();
  }
  if (next != nullptr) Accept(next);
}

}  // namespace omniroute::bench
