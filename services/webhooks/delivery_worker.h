#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/common/clock.h"
#include "services/webhooks/delivery_queue.h"
#include "services/webhooks/http_sender.h"
#include "services/webhooks/webhook_metrics.h"

namespace omniroute::webhooks {

struct WorkerOptions {
  int concurrency = 16;  // deliveries in flight (each on its own sender thread)
  int max_attempts = 12;
  int64_t backoff_base_ms = 2000;
  int64_t backoff_cap_ms = 3600000;
  int poll_ms = 100;  // the longest wait between passes that found nothing to do
  int gauge_interval_ms = 5000;
  int tenants_refresh_ms = 1000;
};

// Exponential backoff with full jitter: after the n-th failed attempt, a delay drawn uniformly
// from [0, min(cap, base * 2^(n-1))] (`uniform01` in [0, 1)).
int64_t BackoffMs(int failures, int64_t base_ms, int64_t cap_ms, double uniform01);

// One webhook worker: a dispatcher that fans the tenants' new events out to their webhooks'
// lanes and leases due deliveries (as many as it has free senders), and `concurrency` sender
// threads that POST them and settle each: delivered, retried after a backoff, or dead-lettered
// after max_attempts. Stateless: all it holds is leased in Redis, and a lease it never settles
// (the process died) comes back to any worker when it ends.
class DeliveryWorker {
 public:
  using SenderFactory = std::function<std::unique_ptr<HttpSender>()>;
  DeliveryWorker(DeliveryQueue* queue, SenderFactory senders, const Clock* clock,
                 WebhookMetrics* metrics, WorkerOptions options, std::function<double()> uniform01);

  // Runs until `stop`; then stops leasing and returns once every delivery in hand is settled.
  void Run(const std::atomic<bool>& stop);
  // Refreshes the backlog and dead-letter gauges every gauge_interval_ms until `stop`.
  void RunGauges(const std::atomic<bool>& stop);

  // One dispatcher pass (fan-out, then leases for the free senders); returns what it found.
  int PassForTest() { return Pass(); }
  // One attempt of a leased delivery with `sender`, settled.
  void Deliver(const Lease& lease, HttpSender& sender);

 private:
  int Pass();
  void SenderLoop(std::unique_ptr<HttpSender> sender);
  void RefreshTenants();
  int Free() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return options_.concurrency - static_cast<int>(jobs_.size()) - busy_;
  }

  DeliveryQueue* queue_;
  SenderFactory senders_;
  const Clock* clock_;
  WebhookMetrics* metrics_;
  WorkerOptions options_;
  std::function<double()> uniform01_;

  std::vector<std::string> tenants_;  // dispatcher thread only
  int64_t next_tenants_ms_ = 0;
  size_t rotation_ = 0;

  absl::Mutex mu_;
  std::deque<Lease> jobs_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace omniroute::webhooks
