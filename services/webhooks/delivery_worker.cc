#include "services/webhooks/delivery_worker.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "absl/time/time.h"
#include "services/common/log/log.h"
#include "services/webhooks/delivery_request.h"
#include "services/webhooks/webhook_validation.h"

namespace omniroute::webhooks {
namespace {

// Sleeps up to `ms`, in slices, returning early once `stop` is set.
void SleepUnlessStopped(int ms, const std::atomic<bool>& stop) {
  for (int slept = 0; slept < ms && !stop.load(); slept += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50, ms - slept)));
  }
}

}  // namespace

int64_t BackoffMs(int failures, int64_t base_ms, int64_t cap_ms, double uniform01) {
  double ceiling = static_cast<double>(base_ms) * std::pow(2.0, std::max(0, failures - 1));
  ceiling = std::min(ceiling, static_cast<double>(cap_ms));
  return static_cast<int64_t>(ceiling * std::clamp(uniform01, 0.0, 1.0));
}

DeliveryWorker::DeliveryWorker(DeliveryQueue* queue, SenderFactory senders, const Clock* clock,
                               WebhookMetrics* metrics, WorkerOptions options,
                               std::function<double()> uniform01)
    : queue_(queue),
      senders_(std::move(senders)),
      clock_(clock),
      metrics_(metrics),
      options_(options),
      uniform01_(std::move(uniform01)) {}

void DeliveryWorker::Run(const std::atomic<bool>& stop) {
  std::vector<std::thread> threads;
  for (int i = 0; i < options_.concurrency; ++i) {
    threads.emplace_back([this, sender = senders_()]() mutable { SenderLoop(std::move(sender)); });
  }
  int idle_ms = 0;
  while (!stop.load()) {
    int found = Pass();
    absl::MutexLock lock(&mu_);
    bool full = Free() <= 0;
    if (found > 0 && !full) {
      idle_ms = 0;
      continue;
    }
    // Every sender busy: wait until one is free. Nothing found: wait a little longer each
    // time, up to poll_ms.
    idle_ms = full ? options_.poll_ms : std::clamp(idle_ms * 2, 1, options_.poll_ms);
    auto wake = [this, full]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return full && Free() > 0; };
    mu_.AwaitWithTimeout(absl::Condition(&wake), absl::Milliseconds(idle_ms));
  }
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
  }
  for (auto& t : threads) t.join();
}

void DeliveryWorker::RefreshTenants() {
  int64_t now = clock_->NowMs();
  if (now < next_tenants_ms_) return;
  auto tenants = queue_->Tenants();
  if (!tenants.ok()) {
    log::WarnEvery("webhook-tenants", 10, "cannot read the webhook tenants",
                   {{"error", tenants.status().ToString()}});
    return;
  }
  tenants_ = std::move(*tenants);
  next_tenants_ms_ = now + options_.tenants_refresh_ms;
}

int DeliveryWorker::Pass() {
  RefreshTenants();
  int found = 0;
  for (const auto& tenant : tenants_) {
    for (int batch = 0; batch < 4; ++batch) {  // bounded, so claims are not starved
      auto fan = queue_->FanOut(tenant);
      if (!fan.ok()) {
        log::WarnEvery("webhook-fanout", 10, "webhook fan-out failed",
                       {{"tenant", tenant}, {"error", fan.status().ToString()}});
        break;
      }
      if (fan->dropped > 0) metrics_->Ended(tenant, "dropped", static_cast<double>(fan->dropped));
      found += static_cast<int>(fan->queued);
      if (fan->read < queue_->options().fanout_batch) break;
    }
  }
  if (tenants_.empty()) return found;
  rotation_ = (rotation_ + 1) % tenants_.size();
  for (size_t i = 0; i < tenants_.size(); ++i) {
    const std::string& tenant = tenants_[(rotation_ + i) % tenants_.size()];
    int free;
    {
      absl::MutexLock lock(&mu_);
      free = Free();
    }
    if (free <= 0) break;
    auto leases = queue_->Claim(tenant, free);
    if (!leases.ok()) {
      log::WarnEvery("webhook-claim", 10, "webhook claim failed",
                     {{"tenant", tenant}, {"error", leases.status().ToString()}});
      continue;
    }
    found += static_cast<int>(leases->size());
    absl::MutexLock lock(&mu_);
    for (auto& l : *leases) jobs_.push_back(std::move(l));
  }
  return found;
}

void DeliveryWorker::SenderLoop(std::unique_ptr<HttpSender> sender) {
  while (true) {
    Lease lease;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !jobs_.empty() || closing_; };
      mu_.Await(absl::Condition(&ready));
      if (jobs_.empty()) return;  // closing, and every job taken
      lease = std::move(jobs_.front());
      jobs_.pop_front();
      ++busy_;
    }
    Deliver(lease, *sender);
    absl::MutexLock lock(&mu_);
    --busy_;
  }
}

void DeliveryWorker::Deliver(const Lease& lease, HttpSender& sender) {
  int64_t now = clock_->NowMs();
  const std::string& tenant = lease.tenant;
  int attempt = lease.attempts + 1;
  HttpResult result;
  auto request = BuildRequest(lease, now / 1000);
  v1::WebhookDeadLetter dead;
  if (request.ok()) {
    result = sender.Post(*request);
    metrics_->Attempt(tenant, result.seconds);
    dead.set_delivery_id(request->delivery_id);
    *dead.mutable_event() = request->event;
  } else {  // an entry that does not decode cannot be sent, ever
    result.outcome = "other";
    result.error = std::string(request.status().message());
    attempt = options_.max_attempts;
    dead.set_delivery_id(
        DeliveryId(lease.webhook_id(), lease.entry.substr(0, lease.entry.find('\n'))));
  }
  now = clock_->NowMs();
  absl::StatusOr<bool> settled = false;
  if (result.ok()) {
    settled = queue_->Delivered(lease);
    if (settled.ok() && *settled) {
      metrics_->Ended(tenant, "delivered");
      metrics_->Lag(tenant, std::max<double>(0, (now - request->event.at_ms()) / 1000.0));
    }
  } else {
    metrics_->Failed(tenant, result.outcome);
    log::WarnEvery(absl::StrCat("webhook-failed-", lease.webhook_id()), 10,
                   "webhook delivery attempt failed",
                   {{"tenant", tenant},
                    {"webhook_id", lease.webhook_id()},
                    {"delivery_id", dead.delivery_id()},
                    {"attempt", std::to_string(attempt)},
                    {"error", result.error}});
    if (attempt >= options_.max_attempts) {
      dead.set_webhook_id(lease.webhook_id());
      dead.set_attempts(attempt);
      dead.set_last_status(result.status);
      dead.set_last_error(result.error);
      dead.set_dead_lettered_ms(now);
      settled = queue_->DeadLetter(lease, dead);
      if (settled.ok() && *settled) {
        metrics_->Ended(tenant, "dead_lettered");
        log::Info("webhook dead letter", {{"tenant", tenant},
                                          {"webhook_id", lease.webhook_id()},
                                          {"delivery_id", dead.delivery_id()},
                                          {"error", result.error}});
      }
    } else {
      int64_t delay =
          BackoffMs(attempt, options_.backoff_base_ms, options_.backoff_cap_ms, uniform01_());
      settled = queue_->Retry(lease, now + delay);
    }
  }
  if (!settled.ok()) {
    // The lease ends by itself and the delivery is sent again, by this worker or another.
    log::WarnEvery("webhook-settle", 10, "cannot settle a webhook delivery",
                   {{"tenant", tenant}, {"error", settled.status().ToString()}});
  } else if (!*settled) {
    metrics_->lost_leases.Add({{"tenant", tenant}}).Increment();
  }
}

void DeliveryWorker::RunGauges(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    auto tenants = queue_->Tenants();
    for (const auto& tenant : tenants.ok() ? *tenants : std::vector<std::string>{}) {
      auto b = queue_->ReadBacklog(tenant);
      if (!b.ok()) continue;
      metrics_->backlog.Add({{"tenant", tenant}}).Set(static_cast<double>(b->pending + b->unread));
      metrics_->dead_letters.Add({{"tenant", tenant}}).Set(static_cast<double>(b->dead_letters));
    }
    SleepUnlessStopped(options_.gauge_interval_ms, stop);
  }
}

}  // namespace omniroute::webhooks
