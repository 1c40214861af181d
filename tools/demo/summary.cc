#include "tools/demo/summary.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/demo/health.h"
#include "tools/demo/tenant_setup.h"

namespace omniroute::demo {
namespace {

// Waits for the summary line: "-" when there is none, ms below 10 s, else seconds.
std::string Ms(int64_t ms) {
  if (ms < 0) return "-";
  if (ms < 10000) return absl::StrCat(ms, "ms");
  return absl::StrFormat("%.1fs", ms / 1000.0);
}

}  // namespace

std::vector<QueueRead> ReadQueues(sim::ApiClient& api, const std::string& tenant,
                                  const std::string& admin_key) {
  std::vector<QueueRead> out;
  for (const auto& spec : DemoQueues()) {
    auto& q = out.emplace_back();
    q.queue = spec.name;
    v1::GetQueueStatsRequest req;
    req.set_tenant_id(tenant);
    req.set_queue(spec.name);
    auto ctx = sim::ApiClient::Context(admin_key, std::chrono::seconds(2));
    auto st = api.routing().GetQueueStats(ctx.get(), req, &q.stats);
    q.ok = st.ok();
    q.error = st.error_message();
  }
  return out;
}

bool PrintQueueStats(sim::ApiClient& api, const std::string& tenant, const std::string& admin_key,
                     const std::string& prefix) {
  bool all_ok = true;
  for (const auto& q : ReadQueues(api, tenant, admin_key)) {
    if (!q.ok) {
      std::fprintf(stderr, "omniroute-demo: GetQueueStats %s%s: %s\n", prefix.c_str(),
                   q.queue.c_str(), q.error.c_str());
      all_ok = false;
      continue;
    }
    const auto& s = q.stats;
    std::printf(
        "%squeue %s: waiting %lld, answered %lld, answered_within_sla %lld, abandoned %lld, "
        "service_level %.6f\n",
        prefix.c_str(), q.queue.c_str(), static_cast<long long>(s.waiting()),
        static_cast<long long>(s.answered()), static_cast<long long>(s.answered_within_sla()),
        static_cast<long long>(s.abandoned()), s.service_level());
  }
  std::fflush(stdout);
  return all_ok;
}

std::string SlaPercent(double service_level) {
  // The ratio of two counts is within 1e-15 of its exact value: 1e-9 keeps 0.8 at 80.0%.
  double tenths = std::floor(service_level * 1000 + 1e-9);
  return absl::StrFormat("%.1f%%", tenths / 10);
}

double OccupancyMeter::Add(int64_t now_ms, int64_t busy_ms) {
  samples_.emplace_back(now_ms, busy_ms);
  while (samples_.size() > 2 && samples_[1].first <= now_ms - 60000) samples_.pop_front();
  const auto& [then_ms, then_busy] = samples_.front();
  if (slots_ <= 0 || now_ms <= then_ms) return -1;
  return static_cast<double>(busy_ms - then_busy) /
         (static_cast<double>(slots_) * (now_ms - then_ms));
}

void PrintSummary(sim::ApiClient& api, const std::string& tenant, const std::string& admin_key,
                  EventTracker& events, const TrafficCounters& traffic, double occupancy,
                  int64_t elapsed_s, const char* label, const std::string& tenant_label) {
  auto queues = ReadQueues(api, tenant, admin_key);
  auto e = events.Get(60000);
  int64_t waiting = 0;
  bool all_ok = true;
  std::string sla;
  for (const auto& q : queues) {
    all_ok = all_ok && q.ok;
    waiting += q.stats.waiting();
    absl::StrAppend(&sla, sla.empty() ? "" : " ", q.queue, " ",
                    q.ok ? SlaPercent(q.stats.service_level()) : "?");
  }
  std::string failed =
      traffic.failed.load() > 0 ? absl::StrCat(" (", traffic.failed.load(), " failed)") : "";
  std::string busy = occupancy < 0 ? "-" : absl::StrFormat("%.0f%%", occupancy * 100);
  std::printf(
      "%s%5llds  %ssubmitted %lld%s | classified %lld: by rule %lld, model %lld, to triage "
      "%lld, default %lld | waiting %s | offered %lld open / %lld total | completed %lld | steps "
      "opened %lld | self-service %lld deflected, %lld escalated | wait p50 %s p99 %s | "
      "occupancy %s | SLA %s | %s\n",
      label, static_cast<long long>(elapsed_s), tenant_label.c_str(),
      static_cast<long long>(traffic.submitted.load()), failed.c_str(),
      static_cast<long long>(e.classified), static_cast<long long>(e.by_rule),
      static_cast<long long>(e.by_model), static_cast<long long>(e.by_low_confidence),
      static_cast<long long>(e.by_default), all_ok ? std::to_string(waiting).c_str() : "?",
      static_cast<long long>(e.open_offers), static_cast<long long>(e.offers_total),
      static_cast<long long>(e.completed), static_cast<long long>(e.steps_opened),
      static_cast<long long>(e.deflected), static_cast<long long>(e.escalated),
      Ms(e.wait_p50_ms).c_str(), Ms(e.wait_p99_ms).c_str(), busy.c_str(), sla.c_str(),
      HealthLine(api).c_str());
  std::fflush(stdout);
}

}  // namespace omniroute::demo
