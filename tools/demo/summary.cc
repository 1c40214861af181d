#include "tools/demo/summary.h"

#include <chrono>
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

QueueTotals ReadQueues(sim::ApiClient& api, const std::string& tenant,
                       const std::string& admin_key) {
  QueueTotals t;
  for (const auto& spec : DemoQueues()) {
    v1::GetQueueStatsRequest req;
    req.set_tenant_id(tenant);
    req.set_queue(spec.name);
    v1::GetQueueStatsResponse resp;
    auto ctx = sim::ApiClient::Context(admin_key, std::chrono::seconds(2));
    if (!api.routing().GetQueueStats(ctx.get(), req, &resp).ok()) {
      t.ok = false;
      continue;
    }
    t.waiting += resp.waiting();
    t.answered += resp.answered();
    t.within_sla += resp.answered_within_sla();
    t.abandoned += resp.abandoned();
  }
  return t;
}

void PrintSummary(sim::ApiClient& api, const std::string& tenant, const std::string& admin_key,
                  EventTracker& events, const TrafficCounters& traffic, int64_t elapsed_s,
                  const char* label) {
  auto q = ReadQueues(api, tenant, admin_key);
  auto e = events.Get(60000);
  int64_t denom = q.answered + q.abandoned;
  std::string sla = !q.ok        ? "?"
                    : denom == 0 ? "100.0%"
                                 : absl::StrFormat("%.1f%%", 100.0 * q.within_sla / denom);
  std::string failed =
      traffic.failed.load() > 0 ? absl::StrCat(" (", traffic.failed.load(), " failed)") : "";
  std::printf(
      "%s%5llds  submitted %lld%s | classified %lld: by rule %lld, model %lld, low-confidence "
      "%lld, default %lld | waiting %s | offered %lld open / %lld total | completed %lld | steps "
      "opened %lld | self-service %lld deflected, %lld escalated | wait p50 %s p99 %s | SLA %s | "
      "%s\n",
      label, static_cast<long long>(elapsed_s), static_cast<long long>(traffic.submitted.load()),
      failed.c_str(), static_cast<long long>(e.classified), static_cast<long long>(e.by_rule),
      static_cast<long long>(e.by_model), static_cast<long long>(e.by_low_confidence),
      static_cast<long long>(e.by_default), q.ok ? std::to_string(q.waiting).c_str() : "?",
      static_cast<long long>(e.open_offers), static_cast<long long>(e.offers_total),
      static_cast<long long>(e.completed), static_cast<long long>(e.steps_opened),
      static_cast<long long>(e.deflected), static_cast<long long>(e.escalated),
      Ms(e.wait_p50_ms).c_str(), Ms(e.wait_p99_ms).c_str(), sla.c_str(), HealthLine(api).c_str());
  std::fflush(stdout);
}

}  // namespace omniroute::demo
