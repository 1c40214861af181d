#include "services/routing/background.h"

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/keys.h"
#include "services/common/log/log.h"
#include "services/common/validation.h"
#include "services/routing/abandon_rate.h"
#include "services/routing/gauges.h"

namespace omniroute::routing {
namespace {

// Sleeps up to `ms`, waking early when `stop` is set.
void Nap(int ms, const std::atomic<bool>& stop) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 50)));
  }
}

// A channel as a metric label: its name in lower case ("chat" for CHANNEL_CHAT).
std::string ChannelLabel(int channel) {
  std::string name = v1::Channel_Name(static_cast<v1::Channel>(channel));
  if (absl::StartsWith(name, "CHANNEL_")) name = name.substr(8);
  if (name.empty()) name = absl::StrCat(channel);
  return absl::AsciiStrToLower(name);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ListTenants(redis::Pool& pool) {
  auto conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command({"SMEMBERS", kTenantsKey});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  for (auto& t : redis::ReplyStrings(*r)) {
    if (ValidateTenantId("tenant", t).ok()) out.push_back(std::move(t));
  }
  return out;
}

void RunTimerLoop(redis::Pool& pool, RoutingEngine& engine, RoutingMetrics& metrics,
                  const BackgroundOptions& options, const std::atomic<bool>& stop) {
  std::vector<std::string> tenants;
  auto next_tenants = std::chrono::steady_clock::now();
  auto next_sweep = next_tenants;
  while (!stop.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_tenants) {
      auto t = ListTenants(pool);
      if (t.ok()) tenants = std::move(*t);
      next_tenants = now + std::chrono::seconds(1);
    }
    std::map<std::string, int64_t> timeouts;
    auto fired = engine.ExpireOffers(tenants, &timeouts);
    if (!fired.ok()) {
      log::WarnEvery("timers", 10, "offer timers failed", {{"error", fired.status().ToString()}});
    }
    for (const auto& [tenant, n] : timeouts) {
      metrics.Offer(tenant, "timeout", static_cast<double>(n));
    }
    if (auto ended = engine.EndWrapUps(tenants); !ended.ok()) {
      log::WarnEvery("wrapups", 10, "wrap-up timers failed",
                     {{"error", ended.status().ToString()}});
    }
    if (now >= next_sweep) {
      auto swept = engine.Sweep(tenants);
      if (!swept.ok()) {
        log::WarnEvery("sweep", 10, "queue sweep failed", {{"error", swept.status().ToString()}});
      }
      if (auto st = engine.RefreshOpenFlags(tenants); !st.ok()) {
        log::WarnEvery("hours", 10, "business hours refresh failed", {{"error", st.ToString()}});
      }
      next_sweep = now + std::chrono::milliseconds(options.sweep_interval_ms);
    }
    Nap(options.timer_interval_ms, stop);
  }
}

namespace {

// Gauges set in one refresh; the series of queues, tenants or streams that went away are
// removed at the end of the next refresh instead of lingering with their last value.
class GaugeRefresh {
 public:
  void Set(prometheus::Family<prometheus::Gauge>& family,
           const std::map<std::string, std::string>& labels, double value) {
    family.Add(labels).Set(value);
    now_.insert({&family, labels});
  }
  // Removes what the previous refresh set and this one did not; starts the next refresh.
  void Finish() {
    for (const auto& [family, labels] : before_) {
      if (now_.count({family, labels}) == 0) family->Remove(&family->Add(labels));
    }
    before_ = std::move(now_);
    now_.clear();
  }

 private:
  using Key = std::pair<prometheus::Family<prometheus::Gauge>*, std::map<std::string, std::string>>;
  std::set<Key> before_, now_;
};

// Each queue's abandonment rate, by (tenant, queue).
using AbandonRates = std::map<std::pair<std::string, std::string>, AbandonRate>;

// The inputs of a deleted queue go away on their own.
constexpr int64_t kWaitInputsTtlMs = 60000;

void RefreshTenant(redis::Pool& pool, RoutingEngine& engine, RoutingMetrics& metrics,
                   const std::string& tenant, bool read_agents, GaugeRefresh& queue_gauges,
                   GaugeRefresh& agent_gauges, std::map<std::string, AgentTally>& tallies,
                   AbandonRates& abandon_rates) {
  auto queues = engine.ListQueues(tenant);
  if (!queues.ok()) return;
  auto conn = pool.Acquire();
  if (!conn.ok()) return;
  TenantKeys keys(tenant);
  if (read_agents) {
    auto rows = ReadAgents(**conn, tenant);
    auto exclusive = ReadExclusiveChannels(**conn, tenant);
    if (rows.ok() && exclusive.ok()) {
      tallies[tenant] = TallyAgents(*rows, *exclusive);
      const AgentTally& t = tallies[tenant];
      for (const auto& [state, n] : t.by_state) {
        agent_gauges.Set(metrics.agents, {{"tenant", tenant}, {"state", state}},
                         static_cast<double>(n));
      }
      agent_gauges.Set(metrics.capacity_slots, {{"tenant", tenant}},
                       static_cast<double>(t.capacity_slots));
      agent_gauges.Set(metrics.busy_slots, {{"tenant", tenant}}, static_cast<double>(t.busy_slots));
    }
  }
  // Stream lag and pending entries of the two consumer groups.
  std::vector<std::pair<std::string, std::string>> streams = {
      {"intake", keys.IntakeStream()}, {"classified", keys.ClassifiedStream()}};
  std::vector<std::vector<std::string>> cmds;
  for (const auto& [name, key] : streams) cmds.push_back({"XINFO", "GROUPS", key});
  for (const auto& q : *queues) cmds.push_back({"HGET", keys.QueueStats(q.name()), "aht_ms"});
  auto replies = (*conn)->Pipeline(cmds);
  if (!replies.ok()) return;
  for (size_t i = 0; i < streams.size(); ++i) {
    if ((*replies)[i].is_error()) continue;  // no stream yet
    int64_t pending = 0;
    std::optional<int64_t> lag;
    for (const auto& g : ParseStreamGroups((*replies)[i])) {
      pending += g.pending;
      if (g.lag.has_value()) lag = lag.value_or(0) + *g.lag;
    }
    std::map<std::string, std::string> labels = {{"tenant", tenant}, {"stream", streams[i].first}};
    queue_gauges.Set(metrics.stream_pending, labels, static_cast<double>(pending));
    if (lag.has_value()) queue_gauges.Set(metrics.stream_lag, labels, static_cast<double>(*lag));
  }
  auto tally = tallies.find(tenant);
  int64_t now_ms = engine.NowMs();
  std::vector<std::vector<std::string>> writes;
  for (size_t k = 0; k < queues->size(); ++k) {
    const auto& q = (*queues)[k];
    auto s = engine.QueueStats(tenant, q);
    if (!s.ok()) continue;
    metrics.EnsureQueueSeries(tenant, q.name(), q.sla_threshold_seconds());
    std::map<std::string, std::string> labels = {{"tenant", tenant}, {"queue", q.name()}};
    queue_gauges.Set(metrics.oldest, labels, static_cast<double>(s->oldest_wait_ms()) / 1000.0);
    for (const auto& ch : s->channels()) {
      auto by_channel = labels;
      by_channel["channel"] = ChannelLabel(ch.channel());
      queue_gauges.Set(metrics.depth, by_channel, static_cast<double>(ch.waiting()));
      queue_gauges.Set(metrics.available, by_channel, static_cast<double>(ch.available_agents()));
    }
    queue_gauges.Set(metrics.sla_target, labels, q.sla_target_percent() / 100.0);
    queue_gauges.Set(metrics.sla_threshold, labels, q.sla_threshold_seconds());
    // The estimated wait's inputs, kept in Redis for GetInteraction and GetQueueStats.
    WaitInputs in;
    double aht_ms = 0;
    const auto& aht = (*replies)[streams.size() + k];
    if (!aht.is_nil() && !absl::SimpleAtod(aht.str, &aht_ms)) aht_ms = 0;
    // A slot stays held through wrap-up; no handle time measured yet means no estimate.
    in.handle_ms = aht_ms > 0 ? aht_ms + 1000.0 * q.wrap_up_seconds() : 0;
    in.abandon_rate =
        abandon_rates[{tenant, q.name()}].Observe(now_ms, s->waiting(), s->abandoned());
    in.updated_ms = now_ms;
    for (int ch : q.channels()) {
      in.servers[ch] = 0;
      if (tally == tallies.end()) continue;
      auto slots = tally->second.staffed_slots.find(q.name());
      if (slots != tally->second.staffed_slots.end() && slots->second.count(ch) > 0) {
        in.servers[ch] = slots->second.at(ch);
      }
    }
    std::vector<std::string> hset = {"HSET", keys.WaitInputs(q.name())};
    for (auto& f : WaitInputsFields(in)) hset.push_back(std::move(f));
    writes.push_back(std::move(hset));
    writes.push_back({"PEXPIRE", keys.WaitInputs(q.name()), absl::StrCat(kWaitInputsTtlMs)});
    SetEstimatedWaits(in, now_ms, &*s);
    if (s->has_estimated_wait()) {
      const auto& e = s->estimated_wait();
      queue_gauges.Set(metrics.estimated_wait, labels, e.seconds());
      queue_gauges.Set(metrics.estimated_wait_low, labels, e.low_seconds());
      queue_gauges.Set(metrics.estimated_wait_high, labels, e.high_seconds());
    }
  }
  if (!writes.empty()) {
    auto written = (*conn)->Pipeline(writes);
    if (!written.ok()) {
      log::WarnEvery("wait_inputs", 10, "writing the estimated wait inputs failed",
                     {{"error", written.status().ToString()}});
    }
  }
}

}  // namespace

void RunGaugeLoop(redis::Pool& pool, RoutingEngine& engine, RoutingMetrics& metrics,
                  const BackgroundOptions& options, const std::atomic<bool>& stop) {
  GaugeRefresh queue_gauges, agent_gauges;
  std::map<std::string, AgentTally> tallies;  // kept between agent reads
  AbandonRates abandon_rates;
  for (int pass = 0; !stop.load(); ++pass) {
    // Reading agents costs a round trip per agent batch and two commands per agent: it runs
    // every `agent_gauge_every` refreshes.
    bool read_agents = pass % std::max(1, options.agent_gauge_every) == 0;
    auto tenants = ListTenants(pool);
    if (tenants.ok()) {
      for (const auto& t : *tenants) {
        // A tenant seen for the first time gets its agent gauges at once.
        RefreshTenant(pool, engine, metrics, t, read_agents || tallies.count(t) == 0, queue_gauges,
                      agent_gauges, tallies, abandon_rates);
      }
      queue_gauges.Finish();
      if (read_agents) agent_gauges.Finish();
    }
    Nap(options.gauge_interval_ms, stop);
  }
}

}  // namespace omniroute::routing
