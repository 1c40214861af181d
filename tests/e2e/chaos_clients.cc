#include "tests/e2e/chaos_clients.h"

#include <algorithm>

#include "absl/strings/str_join.h"

namespace omniroute::e2e {

namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t MsSince(SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t).count();
}

void SetUp(grpc::ClientContext* ctx, const std::string& api_key,
           std::chrono::milliseconds timeout) {
  ctx->AddMetadata("authorization", "Bearer " + api_key);
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
}

// Worth another attempt. CANCELLED is retried too (the ledger still reports it): with an
// idempotency key, or as a retried AcceptOffer/CompleteInteraction, a retry is safe, and a
// client that gave up there would leave the work behind.
bool Transient(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::CANCELLED;
}

// A small xorshift step (each agent its own sequence; no locking of a shared engine).
uint64_t Next(uint64_t* s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

}  // namespace

std::shared_ptr<grpc::Channel> ReplicaChannel(const std::vector<std::string>& addresses,
                                              bool health_checked) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(
      health_checked
          ? R"({"loadBalancingConfig": [{"round_robin": {}}], "healthCheckConfig": {"serviceName": ""}})"
          : R"({"loadBalancingConfig": [{"round_robin": {}}]})");
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel("ipv4:" + absl::StrJoin(addresses, ","),
                                   grpc::InsecureChannelCredentials(), args);
}

// ---- Agent -------------------------------------------------------------------------------

ChaosAgent::ChaosAgent(std::shared_ptr<grpc::Channel> routing, std::string api_key, std::string id,
                       int chat_capacity, uint64_t seed, ChaosClientOptions options, Ledger* ledger)
    : stub_(v1::Routing::NewStub(routing)),
      api_key_(std::move(api_key)),
      id_(std::move(id)),
      chat_capacity_(chat_capacity),
      options_(options),
      ledger_(ledger),
      rng_(seed | 1) {}

ChaosAgent::~ChaosAgent() { Stop(); }

grpc::Status ChaosAgent::Retry(const std::string& what,
                               const std::function<grpc::Status(grpc::ClientContext*)>& call,
                               bool retry) {
  auto first = SteadyClock::now();
  auto backoff = std::chrono::milliseconds(50);
  while (true) {
    grpc::ClientContext ctx;
    SetUp(&ctx, api_key_, options_.deadline);
    auto t0 = SteadyClock::now();
    grpc::Status st = call(&ctx);
    if (st.ok()) return st;
    // A refusal the caller handles itself (FAILED_PRECONDITION of a lapsed offer) is not a
    // failed call; everything else is.
    if (st.error_code() != grpc::StatusCode::FAILED_PRECONDITION || what != "AcceptOffer") {
      ledger_->Failed(what, st, MsSince(t0), options_.deadline.count());
    }
    if (!retry || !Transient(st.error_code()) || stop_.load() ||
        SteadyClock::now() - first > options_.retry_for) {
      return st;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
  }
}

bool ChaosAgent::Start() {
  v1::SetAgentStateRequest req;
  req.set_agent_id(id_);
  req.set_state(v1::AGENT_STATE_AVAILABLE);
  auto* c = req.add_capacities();
  c->set_channel(v1::CHANNEL_CHAT);
  c->set_max(chat_capacity_);
  v1::SetAgentStateResponse resp;
  auto st = Retry(
      "SetAgentState",
      [&](grpc::ClientContext* ctx) { return stub_->SetAgentState(ctx, req, &resp); }, true);
  if (!st.ok()) return false;
  watch_thread_ = std::thread([this] { WatchLoop(); });
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  complete_thread_ = std::thread([this] { CompleteLoop(); });
  return true;
}

void ChaosAgent::Stop() {
  if (stop_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (watch_ctx_ != nullptr) watch_ctx_->TryCancel();
  }
  cv_.notify_all();
  for (auto* t : {&watch_thread_, &accept_thread_, &complete_thread_}) {
    if (t->joinable()) t->join();
  }
}

void ChaosAgent::WatchLoop() {
  std::string last_offer_id;
  while (!stop_.load()) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + api_key_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_.load()) break;
      watch_ctx_ = &ctx;
    }
    v1::WatchOffersRequest req;
    req.set_agent_id(id_);
    req.set_after_offer_id(last_offer_id);
    auto t0 = SteadyClock::now();
    auto reader = stub_->WatchOffers(&ctx, req);
    v1::Offer offer;
    while (reader->Read(&offer)) {
      last_offer_id = offer.offer_id();
      if (offer.rescinded()) continue;
      std::lock_guard<std::mutex> lock(mu_);
      offered_.push_back(offer.interaction_id());
      cv_.notify_all();
    }
    grpc::Status st = reader->Finish();
    {
      std::lock_guard<std::mutex> lock(mu_);
      watch_ctx_ = nullptr;
    }
    if (stop_.load()) break;
    // A stream ends when its replica goes away (UNAVAILABLE) or drains (OK); resume.
    if (!st.ok()) ledger_->Failed("WatchOffers", st, MsSince(t0), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void ChaosAgent::AcceptLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_.load()) {
    if (offered_.empty()) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      continue;
    }
    std::string id = offered_.front();
    offered_.pop_front();
    lock.unlock();
    v1::AcceptOfferRequest req;
    req.set_agent_id(id_);
    req.set_interaction_id(id);
    v1::AcceptOfferResponse resp;
    auto st = Retry(
        "AcceptOffer",
        [&](grpc::ClientContext* ctx) { return stub_->AcceptOffer(ctx, req, &resp); }, true);
    if (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) ledger_->Lapsed();
    lock.lock();
    if (st.ok()) {
      auto hold = std::chrono::milliseconds(50 + Next(&rng_) % 150);
      held_.emplace(SteadyClock::now() + hold, id);
      cv_.notify_all();
    }
  }
}

void ChaosAgent::CompleteLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_.load()) {
    if (held_.empty() || held_.begin()->first > SteadyClock::now()) {
      cv_.wait_for(lock, std::chrono::milliseconds(20));
      continue;
    }
    std::string id = held_.begin()->second;
    held_.erase(held_.begin());
    lock.unlock();
    v1::CompleteInteractionRequest req;
    req.set_agent_id(id_);
    req.set_interaction_id(id);
    v1::CompleteInteractionResponse resp;
    auto st = Retry(
        "CompleteInteraction",
        [&](grpc::ClientContext* ctx) { return stub_->CompleteInteraction(ctx, req, &resp); },
        options_.retry_complete);
    if (st.ok()) ledger_->Completed(id_, id);
    lock.lock();
  }
}

// ---- Submitter ---------------------------------------------------------------------------

ChaosSubmitter::ChaosSubmitter(const std::vector<std::shared_ptr<grpc::Channel>>& intake,
                               std::string api_key, std::string prefix, double rate_per_second,
                               int threads, ChaosClientOptions options, Ledger* ledger)
    : api_key_(std::move(api_key)),
      prefix_(std::move(prefix)),
      rate_(rate_per_second),
      threads_(threads),
      options_(options),
      ledger_(ledger) {
  for (const auto& channel : intake) stubs_.push_back(v1::Intake::NewStub(channel));
}

ChaosSubmitter::~ChaosSubmitter() { Stop(); }

void ChaosSubmitter::Start() {
  start_ = SteadyClock::now();
  for (int i = 0; i < threads_; ++i) {
    workers_.emplace_back([this, i] { Loop(stubs_[i % stubs_.size()].get()); });
  }
}

void ChaosSubmitter::Stop() {
  stop_.store(true);
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

void ChaosSubmitter::Loop(v1::Intake::Stub* stub) {
  while (!stop_.load()) {
    int64_t n = next_.fetch_add(1);
    auto due = start_ + std::chrono::microseconds(static_cast<int64_t>(n * 1e6 / rate_));
    std::this_thread::sleep_until(due);
    if (stop_.load()) return;
    v1::SubmitInteractionRequest req;
    std::string key = prefix_ + "-" + std::to_string(n);
    req.set_channel(v1::CHANNEL_CHAT);
    req.set_subject("chaos " + std::to_string(n));
    req.set_customer_id("cust-" + std::to_string(n % 300));
    req.set_idempotency_key(key);
    auto first = SteadyClock::now();
    auto backoff = std::chrono::milliseconds(50);
    while (true) {
      grpc::ClientContext ctx;
      SetUp(&ctx, api_key_, options_.deadline);
      v1::SubmitInteractionResponse resp;
      auto t0 = SteadyClock::now();
      auto st = stub->SubmitInteraction(&ctx, req, &resp);
      if (st.ok()) {
        ledger_->Acked(key, resp.interaction_id(), !resp.created());
        break;
      }
      ledger_->Failed("SubmitInteraction", st, MsSince(t0), options_.deadline.count());
      if (!Transient(st.error_code()) || SteadyClock::now() - first > options_.retry_for) {
        ledger_->GaveUp(key);
        break;
      }
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
  }
}

}  // namespace omniroute::e2e
