// omniroute-demo: the live demo behind `make run` (scripts/run-demo.sh starts Redis and the three
// services, creates the API keys, then runs this).
//
// It waits for the three services to be SERVING, loads the demo tenant (voice, chat, email and
// billing queues; classification rules that send billing words to "billing" at P2 and fraud to P1),
// logs in simulated agents with mixed skills and capacities, submits steady traffic, follows the
// tenant's event feed, and prints a one-line summary every few seconds until SIGINT / SIGTERM or
// --duration-seconds. Then it stops traffic and agents (they log out) and exits 0.
//
//   omniroute-demo --admin-key K --integrator-key K --agent-key K [--rate 6] [--agents 12] ...
//   omniroute-demo --check-health [--wait-seconds 60]   waits until all three are SERVING
//
// Every flag also reads OMNIROUTE_<NAME> (e.g. OMNIROUTE_ADMIN_KEY), which keeps keys out of ps.
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/config/flags.h"
#include "tools/sim/api_client.h"
#include "tools/sim/sim_agent.h"
#include "tools/sim/traffic.h"

namespace omniroute::demo {
namespace {

using SteadyClock = std::chrono::steady_clock;
const char* const kServices[] = {"intake", "classification", "routing"};

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Options {
  std::string tenant = "demo";
  std::string intake = "127.0.0.1:7101";
  std::string classification = "127.0.0.1:7102";
  std::string routing = "127.0.0.1:7103";
  std::string intake_metrics = "127.0.0.1:9101";
  std::string classification_metrics = "127.0.0.1:9102";
  std::string routing_metrics = "127.0.0.1:9103";
  std::string admin_key, integrator_key, agent_key;
  std::string rate = "8";
  std::string mix = "voice=3,chat=4,email=3";
  int agents = 12;
  int duration_seconds = 0;
  int summary_seconds = 3;
  int wait_seconds = 60;
  bool check_health = false;
};

// ---------------------------------------------------------------------------------------------
// Health

std::string HealthLine(sim::ApiClient& api) {
  std::vector<std::string> parts;
  for (const char* s : kServices) {
    parts.push_back(absl::StrCat(s, " ", api.Serving(s) ? "SERVING" : "NOT_SERVING"));
  }
  return absl::StrJoin(parts, ", ");
}

// Polls the three services until all are SERVING or `seconds` pass; names the laggards.
bool WaitHealthy(sim::ApiClient& api, int seconds, std::string* not_serving) {
  auto deadline = SteadyClock::now() + std::chrono::seconds(seconds);
  while (true) {
    std::vector<std::string> down;
    for (const char* s : kServices) {
      if (!api.Serving(s)) down.push_back(s);
    }
    if (down.empty()) return true;
    if (SteadyClock::now() >= deadline) {
      *not_serving = absl::StrJoin(down, ", ");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// ---------------------------------------------------------------------------------------------
// Tenant set-up: queues and classification config

v1::Skill MakeSkill(const std::string& name, int level) {
  v1::Skill s;
  s.set_name(name);
  s.set_proficiency(level);
  return s;
}

struct QueueSpec {
  std::string name;
  std::vector<v1::Channel> channels;
  std::vector<std::pair<std::string, int>> skills;
  int sla_seconds;
  int sla_percent;
  int offer_timeout_seconds;
};

const std::vector<QueueSpec>& DemoQueues() {
  static const std::vector<QueueSpec> q = {
      {"voice", {v1::CHANNEL_VOICE}, {{"voice_support", 1}}, 20, 80, 10},
      {"chat", {v1::CHANNEL_CHAT}, {{"chat_support", 1}}, 30, 80, 15},
      {"email", {v1::CHANNEL_EMAIL}, {{"email_support", 1}}, 600, 90, 30},
      {"billing", {v1::CHANNEL_CHAT, v1::CHANNEL_EMAIL}, {{"billing", 2}}, 60, 80, 15},
  };
  return q;
}

bool Fail(const char* what, const grpc::Status& st) {
  std::fprintf(stderr, "omniroute-demo: %s: %s (%d)\n", what, st.error_message().c_str(),
               static_cast<int>(st.error_code()));
  return false;
}

bool SetUpTenant(sim::ApiClient& api, const Options& o) {
  for (const auto& spec : DemoQueues()) {
    v1::PutQueueRequest req;
    req.set_tenant_id(o.tenant);
    auto* q = req.mutable_queue();
    q->set_name(spec.name);
    for (auto c : spec.channels) q->add_channels(c);
    for (const auto& [name, level] : spec.skills)
      *q->add_required_skills() = MakeSkill(name, level);
    q->set_strategy(v1::STRATEGY_LONGEST_IDLE);
    q->set_sla_threshold_seconds(spec.sla_seconds);
    q->set_sla_target_percent(spec.sla_percent);
    q->set_offer_timeout_seconds(spec.offer_timeout_seconds);
    v1::PutQueueResponse resp;
    auto st = api.admin().PutQueue(sim::ApiClient::Context(o.admin_key).get(), req, &resp);
    if (!st.ok()) return Fail(("PutQueue " + spec.name).c_str(), st);
  }

  v1::PutTenantConfigRequest req;
  req.set_tenant_id(o.tenant);
  auto* c = req.mutable_config();
  auto* fraud = c->add_rules();  // urgent everywhere; queue by channel
  fraud->set_name("fraud");
  for (const char* k : {"fraud", "without permission", "stolen"}) fraud->add_keywords(k);
  fraud->set_category("fraud");
  fraud->set_priority(v1::PRIORITY_P1);
  auto* billing = c->add_rules();
  billing->set_name("billing");
  billing->add_channels(v1::CHANNEL_CHAT);
  billing->add_channels(v1::CHANNEL_EMAIL);
  for (const char* k : {"billing", "invoice", "charged", "refund", "bill"})
    billing->add_keywords(k);
  billing->set_category("billing");
  billing->set_priority(v1::PRIORITY_P2);
  *billing->add_required_skills() = MakeSkill("billing", 2);
  billing->set_queue("billing");
  (*c->mutable_default_queue_by_channel())[v1::CHANNEL_VOICE] = "voice";
  (*c->mutable_default_queue_by_channel())[v1::CHANNEL_CHAT] = "chat";
  (*c->mutable_default_queue_by_channel())[v1::CHANNEL_EMAIL] = "email";
  c->set_default_queue("chat");
  c->set_default_priority(v1::PRIORITY_P3);
  v1::PutTenantConfigResponse resp;
  auto st = api.admin().PutTenantConfig(sim::ApiClient::Context(o.admin_key).get(), req, &resp);
  if (!st.ok()) return Fail("PutTenantConfig", st);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Agents

struct AgentTemplate {
  std::map<v1::Channel, int> capacity;
  std::map<std::string, int> skills;
  double reject_probability;
  int handle_ms_min, handle_ms_max;
};

// Interleaved so that any prefix covers every queue. Handle times keep the voice seats (the
// scarcest) around 80 % busy at the default 8/s, so a queue forms now and then.
const std::vector<AgentTemplate>& AgentTemplates() {
  using C = v1::Channel;
  static const std::vector<AgentTemplate> t = {
      // capacity, skills, share of offers declined, handle time ms (min, max)
      {{{C::CHANNEL_VOICE, 1}}, {{"voice_support", 3}}, 0.0, 1000, 3200},
      {{{C::CHANNEL_CHAT, 3}}, {{"chat_support", 3}}, 0.0, 3000, 8000},
      {{{C::CHANNEL_EMAIL, 5}}, {{"email_support", 2}}, 0.0, 2000, 6000},
      {{{C::CHANNEL_CHAT, 3}, {C::CHANNEL_EMAIL, 3}},
       {{"billing", 3}, {"chat_support", 2}, {"email_support", 2}},
       0.0,
       2000,
       5000},
      {{{C::CHANNEL_VOICE, 1}}, {{"voice_support", 2}}, 0.0, 1000, 3200},
      {{{C::CHANNEL_CHAT, 3}}, {{"chat_support", 2}}, 0.25, 3000, 8000},  // sometimes declines
      {{{C::CHANNEL_VOICE, 1}, {C::CHANNEL_CHAT, 2}},
       {{"voice_support", 2}, {"chat_support", 2}},
       0.0,
       1000,
       3200},
      {{{C::CHANNEL_CHAT, 2}, {C::CHANNEL_EMAIL, 3}},
       {{"billing", 2}, {"chat_support", 1}, {"email_support", 1}},
       0.0,
       2000,
       5000},
      {{{C::CHANNEL_VOICE, 1}}, {{"voice_support", 1}}, 0.2, 1000, 3200},  // sometimes declines
      {{{C::CHANNEL_EMAIL, 3}, {C::CHANNEL_CHAT, 2}},
       {{"email_support", 1}, {"chat_support", 1}, {"billing", 1}},  // billing 1: not enough
       0.0,
       2000,
       6000},
      {{{C::CHANNEL_VOICE, 1}, {C::CHANNEL_CHAT, 2}},
       {{"voice_support", 1}, {"chat_support", 1}},
       0.0,
       1000,
       3200},
      {{{C::CHANNEL_VOICE, 1}, {C::CHANNEL_EMAIL, 3}},
       {{"voice_support", 2}, {"email_support", 2}},
       0.0,
       1000,
       3200},
  };
  return t;
}

// ---------------------------------------------------------------------------------------------
// Traffic: RunTraffic in one-second chunks, so the submitted count is live.

struct TrafficCounters {
  std::atomic<int64_t> submitted{0};
  std::atomic<int64_t> failed{0};
};

void TrafficLoop(sim::ApiClient& api, const std::string& key, double rate,
                 std::vector<v1::Channel> channels, const std::string& run_id,
                 const std::atomic<bool>& stop, TrafficCounters& counters) {
  const int per_chunk = std::max(1, static_cast<int>(std::lround(rate)));
  const auto chunk_time =
      std::chrono::microseconds(static_cast<int64_t>(per_chunk * 1e6 / std::max(rate, 0.001)));
  auto next = SteadyClock::now();
  for (int chunk = 0; !stop.load(); ++chunk) {
    sim::TrafficOptions t;
    t.total = per_chunk;
    t.rate_per_second = rate;
    t.channels = channels;
    t.key_prefix = absl::StrCat(run_id, "-", chunk);
    t.customers = 300;
    t.seed = 1000 + chunk;
    auto out = sim::RunTraffic(api, key, t, stop);
    counters.submitted += static_cast<int64_t>(out.size());
    if (!stop.load()) counters.failed += per_chunk - static_cast<int64_t>(out.size());
    next += chunk_time;
    if (next < SteadyClock::now() - std::chrono::seconds(5)) next = SteadyClock::now();
    while (!stop.load() && SteadyClock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Event feed: open offers, completions and waits (the 'wait_ms' of each 'accepted' event).

class EventTracker {
 public:
  struct Snapshot {
    int64_t events = 0;
    int64_t offers_total = 0;
    int64_t open_offers = 0;
    int64_t accepted = 0;
    int64_t rejected = 0;
    int64_t offer_timeouts = 0;
    int64_t completed = 0;
    int64_t wait_p50_ms = -1;  // -1: no accept in the window
    int64_t wait_p99_ms = -1;
    bool connected = false;
  };

  // Follows the feed from `after_event_id` until Stop(), reconnecting where it left off.
  void Run(sim::ApiClient& api, const std::string& key, const std::string& tenant,
           std::string after_event_id) {
    while (!stop_.load()) {
      auto ctx = sim::ApiClient::Context(key, std::chrono::hours(24));
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_.load()) break;
        ctx_ = ctx.get();
      }
      v1::WatchEventsRequest req;
      req.set_tenant_id(tenant);
      req.set_after_event_id(after_event_id);
      auto reader = api.routing().WatchEvents(ctx.get(), req);
      v1::Event e;
      while (reader->Read(&e)) {
        after_event_id = e.event_id();
        Apply(e);
      }
      auto st = reader->Finish();
      {
        std::lock_guard<std::mutex> lock(mu_);
        ctx_ = nullptr;
        connected_ = false;
      }
      if (!stop_.load()) {
        if (!st.ok() && st.error_code() != grpc::StatusCode::UNAVAILABLE) {
          std::fprintf(stderr, "omniroute-demo: event feed: %s\n", st.error_message().c_str());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    }
  }

  void Stop() {
    stop_ = true;
    std::lock_guard<std::mutex> lock(mu_);
    if (ctx_ != nullptr) ctx_->TryCancel();
  }

  Snapshot Get(int64_t window_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    Snapshot s = snap_;
    s.open_offers = static_cast<int64_t>(open_.size());
    s.connected = connected_;
    int64_t cutoff = WallMs() - window_ms;
    while (!waits_.empty() && waits_.front().first < cutoff) waits_.pop_front();
    if (!waits_.empty()) {
      std::vector<int64_t> w;
      w.reserve(waits_.size());
      for (const auto& [at, ms] : waits_) w.push_back(ms);
      std::sort(w.begin(), w.end());
      auto pct = [&w](double p) {
        size_t i = static_cast<size_t>(std::ceil(p * w.size())) - 1;
        return w[std::min(i, w.size() - 1)];
      };
      s.wait_p50_ms = pct(0.50);
      s.wait_p99_ms = pct(0.99);
    }
    return s;
  }

 private:
  void Apply(const v1::Event& e) {
    std::lock_guard<std::mutex> lock(mu_);
    connected_ = true;
    ++snap_.events;
    const std::string& t = e.type();
    const std::string& id = e.interaction_id();
    if (t == "offered") {
      ++snap_.offers_total;
      open_.insert(id);
    } else if (t == "accepted") {
      ++snap_.accepted;
      open_.erase(id);
      auto it = e.detail().find("wait_ms");
      int64_t wait = 0;
      if (it != e.detail().end() && absl::SimpleAtoi(it->second, &wait)) {
        waits_.emplace_back(e.at_ms() > 0 ? e.at_ms() : WallMs(), wait);
        if (waits_.size() > 200000) waits_.pop_front();
      }
    } else if (t == "rejected") {
      ++snap_.rejected;
      open_.erase(id);
    } else if (t == "offer_timeout") {
      ++snap_.offer_timeouts;
      open_.erase(id);
    } else if (t == "canceled") {
      open_.erase(id);
    } else if (t == "completed") {
      ++snap_.completed;
    }
  }

  std::atomic<bool> stop_{false};
  std::mutex mu_;
  grpc::ClientContext* ctx_ = nullptr;
  bool connected_ = false;
  Snapshot snap_;
  std::set<std::string> open_;                     // interactions with an open offer
  std::deque<std::pair<int64_t, int64_t>> waits_;  // (accepted at ms, wait ms)
};

// ---------------------------------------------------------------------------------------------
// Queue statistics, summed over the demo queues.

struct QueueTotals {
  int64_t waiting = 0, answered = 0, within_sla = 0, abandoned = 0;
  bool ok = true;
};

QueueTotals ReadQueues(sim::ApiClient& api, const Options& o) {
  QueueTotals t;
  for (const auto& spec : DemoQueues()) {
    v1::GetQueueStatsRequest req;
    req.set_tenant_id(o.tenant);
    req.set_queue(spec.name);
    v1::GetQueueStatsResponse resp;
    auto ctx = sim::ApiClient::Context(o.admin_key, std::chrono::seconds(2));
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

std::string Ms(int64_t ms) {
  if (ms < 0) return "-";
  if (ms < 10000) return absl::StrCat(ms, "ms");
  return absl::StrFormat("%.1fs", ms / 1000.0);
}

void PrintSummary(sim::ApiClient& api, const Options& o, EventTracker& events,
                  const TrafficCounters& traffic, int64_t elapsed_s, const char* label) {
  auto q = ReadQueues(api, o);
  auto e = events.Get(60000);
  int64_t denom = q.answered + q.abandoned;
  std::string sla = !q.ok        ? "?"
                    : denom == 0 ? "100.0%"
                                 : absl::StrFormat("%.1f%%", 100.0 * q.within_sla / denom);
  std::string failed =
      traffic.failed.load() > 0 ? absl::StrCat(" (", traffic.failed.load(), " failed)") : "";
  std::printf(
      "%s%5llds  submitted %lld%s | waiting %s | offered %lld open / %lld total | completed %lld | "
      "wait p50 %s p99 %s | SLA %s | %s\n",
      label, static_cast<long long>(elapsed_s), static_cast<long long>(traffic.submitted.load()),
      failed.c_str(), q.ok ? std::to_string(q.waiting).c_str() : "?",
      static_cast<long long>(e.open_offers), static_cast<long long>(e.offers_total),
      static_cast<long long>(e.completed), Ms(e.wait_p50_ms).c_str(), Ms(e.wait_p99_ms).c_str(),
      sla.c_str(), HealthLine(api).c_str());
  std::fflush(stdout);
}

bool ParseMix(const std::string& mix, std::vector<v1::Channel>* out) {
  static const std::map<std::string, v1::Channel> names = {
      {"voice", v1::CHANNEL_VOICE}, {"chat", v1::CHANNEL_CHAT}, {"email", v1::CHANNEL_EMAIL}};
  for (absl::string_view part : absl::StrSplit(mix, ',', absl::SkipWhitespace())) {
    std::vector<std::string> kv = absl::StrSplit(part, '=');
    int weight = 0;
    auto it = kv.size() == 2 ? names.find(kv[0]) : names.end();
    if (it == names.end() || !absl::SimpleAtoi(kv[1], &weight) || weight < 0 || weight > 100) {
      return false;
    }
    for (int i = 0; i < weight; ++i) out->push_back(it->second);
  }
  return !out->empty();
}

void PrintBanner(const Options& o, double rate, int agents) {
  auto row = [](const char* name, const std::string& grpc, const std::string& metrics) {
    std::printf("  %-15s gRPC %-16s metrics http://%s/metrics\n", name, grpc.c_str(),
                metrics.c_str());
  };
  std::printf("omniroute demo: tenant \"%s\", %g interactions/s, %d agents%s\n", o.tenant.c_str(),
              rate, agents,
              o.duration_seconds > 0 ? absl::StrCat(", for ", o.duration_seconds, " s").c_str()
                                     : ", until Ctrl-C");
  row("intake", o.intake, o.intake_metrics);
  row("classification", o.classification, o.classification_metrics);
  row("routing", o.routing, o.routing_metrics);
  std::printf("API keys (tenant \"%s\"):\n", o.tenant.c_str());
  std::printf("  admin       %s\n  integrator  %s\n  agent       %s\n", o.admin_key.c_str(),
              o.integrator_key.c_str(), o.agent_key.c_str());
  std::printf(
      "queues: voice (voice_support>=1), chat (chat_support>=1), email (email_support>=1), "
      "billing (chat+email, billing>=2; rule: billing/invoice/charged/refund -> P2)\n");
  std::printf("try:\n");
  std::printf("  grpcurl -plaintext %s list\n", o.routing.c_str());
  std::printf(
      "  grpcurl -plaintext -H 'authorization: Bearer %s' -d '{\"queue\":\"voice\"}' %s "
      "omniroute.v1.Routing/GetQueueStats\n",
      o.admin_key.c_str(), o.routing.c_str());
  std::printf(
      "  grpcurl -plaintext -H 'authorization: Bearer %s' -d '{\"channel\":\"CHANNEL_CHAT\","
      "\"subject\":\"refund please\"}' %s omniroute.v1.Intake/SubmitInteraction\n",
      o.integrator_key.c_str(), o.intake.c_str());
  std::printf("  curl -s http://%s/metrics | grep omniroute_\n", o.routing_metrics.c_str());
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Options o;
  config::Flags flags("omniroute-demo");
  flags.Add("tenant", &o.tenant, "demo tenant id");
  flags.Add("intake", &o.intake, "intake gRPC address");
  flags.Add("classification", &o.classification, "classification gRPC address");
  flags.Add("routing", &o.routing, "routing gRPC address (also Admin)");
  flags.Add("intake-metrics", &o.intake_metrics, "intake metrics address (printed only)");
  flags.Add("classification-metrics", &o.classification_metrics,
            "classification metrics address (printed only)");
  flags.Add("routing-metrics", &o.routing_metrics, "routing metrics address (printed only)");
  flags.Add("admin-key", &o.admin_key, "API key with the admin role (queues, config, stats)");
  flags.Add("integrator-key", &o.integrator_key, "API key with the integrator role (traffic)");
  flags.Add("agent-key", &o.agent_key, "API key with the agent role (simulated agents)");
  flags.Add("rate", &o.rate, "interactions submitted per second");
  flags.Add("mix", &o.mix, "channel weights, e.g. voice=3,chat=4,email=3");
  flags.Add("agents", &o.agents, "simulated agents (mixed skills and capacities)");
  flags.Add("duration-seconds", &o.duration_seconds, "stop after this long (0 = until signal)");
  flags.Add("summary-seconds", &o.summary_seconds, "seconds between summary lines");
  flags.Add("wait-seconds", &o.wait_seconds, "how long to wait for the services to be SERVING");
  flags.Add("check-health", &o.check_health,
            "only wait until the three services are SERVING, then exit 0 (1 if they are not)");
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }

  // Outside --check-health, SIGINT / SIGTERM are taken with sigtimedwait in the summary loop.
  // Reset them to the default first (a shell starts background jobs with SIGINT ignored, and
  // ignored signals are dropped), and block them before any thread starts (gRPC starts its own
  // with the first channel), so that every thread inherits the mask and none dies of a signal.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  if (!o.check_health) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  }
  auto signaled = [&sigs](std::chrono::milliseconds timeout) {
    timespec ts{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>((timeout.count() % 1000) * 1000000)};
    return sigtimedwait(&sigs, nullptr, &ts) > 0;
  };

  sim::ApiClient api({o.intake, o.classification, o.routing});
  if (o.check_health) {
    std::string down;
    if (WaitHealthy(api, o.wait_seconds, &down)) return 0;
    std::fprintf(stderr, "omniroute-demo: not SERVING after %d s: %s\n", o.wait_seconds,
                 down.c_str());
    return 1;
  }

  double rate = 0;
  std::vector<v1::Channel> channels;
  if (!absl::SimpleAtod(o.rate, &rate) || !(rate > 0) || rate > 10000) {
    std::fprintf(stderr, "omniroute-demo: --rate must be a number > 0, got '%s'\n", o.rate.c_str());
    return 2;
  }
  if (!ParseMix(o.mix, &channels)) {
    std::fprintf(stderr, "omniroute-demo: --mix must look like voice=3,chat=4,email=3\n");
    return 2;
  }
  if (o.agents < 1 || o.agents > 1000 || o.duration_seconds < 0 || o.summary_seconds < 1) {
    std::fprintf(stderr,
                 "omniroute-demo: need --agents 1..1000, --duration-seconds >= 0, "
                 "--summary-seconds >= 1\n");
    return 2;
  }
  if (o.admin_key.empty() || o.integrator_key.empty() || o.agent_key.empty()) {
    std::fprintf(stderr,
                 "omniroute-demo: --admin-key, --integrator-key and --agent-key are required "
                 "(create them with omniroute-ctl create-key)\n");
    return 2;
  }

  std::string down;
  if (!WaitHealthy(api, o.wait_seconds, &down)) {
    std::fprintf(stderr, "omniroute-demo: not SERVING after %d s: %s\n", o.wait_seconds,
                 down.c_str());
    return 1;
  }
  const int64_t start_ms = WallMs();
  if (!SetUpTenant(api, o)) return 1;

  // Follow the event feed from just before the set-up, so nothing of this run is missed.
  EventTracker events;
  std::thread events_thread(
      [&] { events.Run(api, o.agent_key, o.tenant, absl::StrCat(start_ms - 1000, "-0")); });

  std::vector<std::unique_ptr<sim::SimAgent>> agents;
  const auto& templates = AgentTemplates();
  for (int i = 0; i < o.agents; ++i) {
    const auto& t = templates[i % templates.size()];
    sim::AgentBehavior b;
    b.capacity = t.capacity;
    b.skills = t.skills;
    b.reject_probability = t.reject_probability;
    b.handle_ms_min = t.handle_ms_min;
    b.handle_ms_max = t.handle_ms_max;
    b.seed = 100 + i;
    auto agent =
        std::make_unique<sim::SimAgent>(&api, o.agent_key, absl::StrFormat("agent-%02d", i + 1), b);
    if (!agent->Start()) {
      std::fprintf(stderr, "omniroute-demo: %s could not log in\n", agent->id().c_str());
      continue;
    }
    agents.push_back(std::move(agent));
  }
  bool ok = !agents.empty();
  if (!ok) std::fprintf(stderr, "omniroute-demo: no agent could log in\n");

  PrintBanner(o, rate, static_cast<int>(agents.size()));

  std::atomic<bool> stop_traffic{false};
  TrafficCounters traffic;
  std::thread traffic_thread;
  if (ok) {
    traffic_thread = std::thread([&] {
      TrafficLoop(api, o.integrator_key, rate, channels, absl::StrCat("demo-", start_ms),
                  stop_traffic, traffic);
    });
  }

  const auto started = SteadyClock::now();
  const auto interval = std::chrono::seconds(o.summary_seconds);
  auto next = started + interval;
  bool by_signal = false;
  while (ok) {
    auto now = SteadyClock::now();
    auto until = next;
    if (o.duration_seconds > 0) {
      until = std::min(until, started + std::chrono::seconds(o.duration_seconds));
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
    if (wait.count() > 0 && signaled(wait)) {
      by_signal = true;
      break;
    }
    now = SteadyClock::now();
    int64_t elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - started).count();
    if (o.duration_seconds > 0 && now >= started + std::chrono::seconds(o.duration_seconds)) break;
    if (now >= next) {
      PrintSummary(api, o, events, traffic, elapsed, "");
      next += interval;
    }
  }

  std::printf("stopping%s: traffic, then %zu agents...\n", by_signal ? " (signal)" : "",
              agents.size());
  std::fflush(stdout);
  stop_traffic = true;
  if (traffic_thread.joinable()) traffic_thread.join();
  int64_t elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started).count();
  if (ok) PrintSummary(api, o, events, traffic, elapsed, "final ");
  sim::AgentStats total;
  for (auto& a : agents) {
    a->Stop();
    auto s = a->Stats();
    total.offers += s.offers;
    total.accepted += s.accepted;
    total.rejected += s.rejected;
    total.completed += s.completed;
    total.accept_failed += s.accept_failed;
  }
  events.Stop();
  events_thread.join();
  if (ok) {
    std::printf(
        "agents: %lld offers, %lld accepted, %lld declined, %lld completed; all logged out\n",
        static_cast<long long>(total.offers), static_cast<long long>(total.accepted),
        static_cast<long long>(total.rejected), static_cast<long long>(total.completed));
  }
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace omniroute::demo

int main(int argc, char** argv) { return omniroute::demo::Main(argc, argv); }
