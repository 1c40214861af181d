#include "load-tests/bench_submit.h"

#include <algorithm>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "load-tests/http_submit.h"
#include "tools/sim/traffic.h"

namespace omniroute::bench {

SubmitPhase SubmitAll(sim::ApiClient& api, const std::vector<std::string>& keys, const Config& cfg,
                      const std::vector<v1::Channel>& channels, int total,
                      const std::string& key_prefix, Clock::time_point deadline,
                      const std::atomic<bool>& interrupted, const std::string& via) {
  const int batch = std::clamp(cfg.batch, 1, 500);
  // The batches: each tenant's share cut into batches, the tenants taking turns.
  struct Batch {
    int tenant, first, n;
    int64_t before;  // interactions in the batches before this one (for --rate)
  };
  std::vector<Batch> plan;
  const int tenants = static_cast<int>(keys.size());
  std::vector<int> first(tenants), left(tenants);
  for (int t = 0, at = 0; t < tenants; ++t) {
    first[t] = at;
    left[t] = total / tenants + (t < total % tenants);
    at += left[t];
  }
  int64_t planned = 0;
  for (bool more = true; more;) {
    more = false;
    for (int t = 0; t < tenants; ++t) {
      if (left[t] == 0) continue;
      int n = std::min(batch, left[t]);
      plan.push_back({t, first[t], n, planned});
      planned += n;
      first[t] += n;
      left[t] -= n;
      more = true;
    }
  }
  const int batches = static_cast<int>(plan.size());
  std::atomic<int> next{0};
  std::vector<SubmitPhase> per_thread(std::max(1, cfg.concurrency));
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < per_thread.size(); ++t) {
    threads.emplace_back([&, t] {
      SubmitPhase& out = per_thread[t];
      std::mt19937_64 rng(1000 + t);
      const auto& subjects = sim::SampleSubjects();
      for (int b = next.fetch_add(1); b < batches; b = next.fetch_add(1)) {
        if (interrupted.load() || Clock::now() >= deadline) break;
        const Batch& job = plan[static_cast<size_t>(b)];
        if (cfg.rate > 0) {
          std::this_thread::sleep_until(
              start + std::chrono::microseconds(static_cast<int64_t>(
                          static_cast<double>(job.before) * 1e6 / static_cast<double>(cfg.rate))));
        }
        const std::string& key = keys[static_cast<size_t>(job.tenant)];
        v1::SubmitInteractionsRequest req;
        int n = job.n;
        for (int i = job.first; i < job.first + n; ++i) {
          auto* item = req.add_interactions();
          item->set_channel(channels[rng() % channels.size()]);
          item->set_customer_id(absl::StrCat("cust-", rng() % 1000));
          item->set_subject(subjects[rng() % subjects.size()]);
          item->set_body(absl::StrCat("Benchmark message ", i));
          item->set_idempotency_key(absl::StrCat(key_prefix, "-", i));
        }
        // Items answered "not now" inside a call that succeeded (e.g. intake's
        // --redis-wait-replicas ran out of time) are sent again with the same idempotency keys,
        // so a stored one comes back as the same interaction; whole calls likewise. Five
        // attempts in all; the call's time covers them.
        std::vector<v1::SubmitResult> results(static_cast<size_t>(n));
        std::vector<int> pending(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) pending[static_cast<size_t>(i)] = i;
        grpc::Status st;
        auto sent = Clock::now();
        int attempt = 0;
        for (; attempt < 5 && !pending.empty(); ++attempt) {
          if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
          v1::SubmitInteractionsRequest part;
          for (int i : pending) *part.add_interactions() = req.interactions(i);
          v1::SubmitInteractionsResponse resp;
          if (via == "http") {
            st =
                HttpSubmitInteractions(cfg.intake_http, key, part, &resp, std::chrono::seconds(30));
          } else {
            auto ctx = sim::ApiClient::Context(key, std::chrono::seconds(30));
            st = api.intake().SubmitInteractions(ctx.get(), part, &resp);
          }
          if (!st.ok()) {
            bool transient = st.error_code() == grpc::StatusCode::UNAVAILABLE ||
                             st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                             st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
            if (!transient || interrupted.load()) break;
            continue;
          }
          std::vector<int> again;
          for (int k = 0; k < resp.results_size() && k < static_cast<int>(pending.size()); ++k) {
            const auto& r = resp.results(k);
            results[static_cast<size_t>(pending[static_cast<size_t>(k)])] = r;
            if (r.code() == grpc::StatusCode::UNAVAILABLE ||
                r.code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
              again.push_back(pending[static_cast<size_t>(k)]);
            }
          }
          pending = std::move(again);
          if (interrupted.load()) break;
        }
        auto acked = Clock::now();
        if (!st.ok()) {
          // The items of the failed call have no answer; earlier attempts' answers stand.
          ++out.failed_calls;
          if (out.first_error.empty()) out.first_error = st.error_message();
          for (int i : pending) {
            results[static_cast<size_t>(i)].set_code(st.error_code());
            results[static_cast<size_t>(i)].set_message(st.error_message());
          }
        } else {
          out.call_ms.push_back(std::chrono::duration<double, std::milli>(acked - sent).count());
        }
        if (attempt > 1) ++out.retried_calls;
        for (const auto& r : results) {
          if (r.code() == 0) {
            out.ok.push_back({r.interaction_id(), job.tenant, sent, acked});
          } else {
            ++out.failed_items;
            if (out.first_error.empty()) out.first_error = r.message();
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  SubmitPhase all;
  for (auto& p : per_thread) {
    all.failed_items += p.failed_items;
    all.failed_calls += p.failed_calls;
    if (all.first_error.empty()) all.first_error = p.first_error;
    all.call_ms.insert(all.call_ms.end(), p.call_ms.begin(), p.call_ms.end());
    all.retried_calls += p.retried_calls;
    for (auto& r : p.ok) all.ok.push_back(std::move(r));
  }
  return all;
}

}  // namespace omniroute::bench
