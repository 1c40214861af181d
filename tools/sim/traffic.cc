#include "tools/sim/traffic.h"

#include <chrono>
#include <random>
#include <thread>

namespace omniroute::sim {
namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Transient(const grpc::Status& st) {
  return st.error_code() == grpc::StatusCode::UNAVAILABLE ||
         st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

}  // namespace

const std::vector<std::string>& SampleSubjects() {
  static const std::vector<std::string> s = {
      "I was charged twice on my bill this month",
      "My card still has not arrived",
      "Please reset my password, I am locked out",
      "How do I close my account?",
      "The app crashes when I open my statement",
      "I want to upgrade my plan",
      "Refund for a cancelled order",
      "Someone used my card without permission, fraud",
      "Where is my delivery?",
      "Question about my invoice and billing address",
  };
  return s;
}

std::vector<Submitted> RunTraffic(ApiClient& api, const std::string& api_key,
                                  const TrafficOptions& o, const std::atomic<bool>& stop) {
  std::vector<Submitted> out;
  std::mt19937_64 rng(o.seed);
  auto start = std::chrono::steady_clock::now();
  int n = 0;
  const int batch = std::max(1, o.batch);
  std::mt19937_64 gaps(o.seed ^ 0x9e3779b97f4a7c15ULL);  // apart from `rng`: same requests
  double poisson_us = 0;
  while (!stop.load() && (o.total == 0 || n < o.total)) {
    if (o.rate_per_second > 0) {
      double due_us = n * 1e6 / o.rate_per_second;
      if (o.poisson) {
        if (n > 0)
          poisson_us += std::exponential_distribution<double>(o.rate_per_second)(gaps) * 1e6;
        due_us = poisson_us;
      }
      std::this_thread::sleep_until(start +
                                    std::chrono::microseconds(static_cast<int64_t>(due_us)));
    }
    v1::SubmitInteractionsRequest req;
    int this_batch = o.total == 0 ? batch : std::min(batch, o.total - n);
    for (int i = 0; i < this_batch; ++i) {
      auto* item = req.add_interactions();
      if (o.queues.empty()) {
        item->set_channel(o.channels[rng() % o.channels.size()]);
      } else {
        const auto& [queue, channels] = o.queues[rng() % o.queues.size()];
        item->set_queue(queue);
        item->set_channel(channels[rng() % channels.size()]);
      }
      if (o.random_priority) item->set_priority(static_cast<v1::Priority>(1 + rng() % 4));
      item->set_customer_id("cust-" + std::to_string(rng() % std::max(1, o.customers)));
      item->set_subject(SampleSubjects()[rng() % SampleSubjects().size()]);
      item->set_body("Simulated message " + std::to_string(n + i));
      item->set_idempotency_key(o.key_prefix + "-" + std::to_string(n + i));
    }
    v1::SubmitInteractionsResponse resp;
    grpc::Status st;
    for (int attempt = 0; attempt <= o.max_retries; ++attempt) {
      auto ctx = ApiClient::Context(api_key);
      st = api.intake().SubmitInteractions(ctx.get(), req, &resp);
      if (st.ok() || !Transient(st) || stop.load()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 4)));
    }
    if (st.ok()) {
      int64_t now = WallMs();
      for (int i = 0; i < resp.results_size(); ++i) {
        if (resp.results(i).code() == 0) {
          out.push_back({resp.results(i).interaction_id(), req.interactions(i).channel(), now,
                         req.interactions(i).queue()});
          if (o.on_submitted) o.on_submitted(out.back());
        }
      }
    }
    n += this_batch;
  }
  return out;
}

}  // namespace omniroute::sim
