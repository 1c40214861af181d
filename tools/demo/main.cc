// omniroute-demo: the live demo behind `make run` (scripts/run-demo.sh starts Redis and the three
// services, creates the API keys, then runs this).
//
// It waits for the three services to be SERVING, loads the demo tenant (voice, chat, email and
// billing queues; classification rules that send billing words to "billing" at P2 and fraud to P1),
// works out the load the traffic offers each queue and logs in simulated people staffed for it
// (staffing.h) plus a bot, submits steady traffic, follows the tenant's event feed, and prints a
// one-line summary every few seconds until SIGINT / SIGTERM or --duration-seconds. Then it stops
// traffic and agents (they log out), prints the final summary and exits 0. With several tenants
// (--tenant a,b,c and one key of each kind per tenant) every tenant gets all of that (the same
// rate and staffing each), and its lines start with "<tenant>: ".
//
//   omniroute-demo --admin-key K --integrator-key K --agent-key K [--rate 8] [--agents 0] ...
//   omniroute-demo --check-health [--wait-seconds 60]   waits until all three are SERVING
//   omniroute-demo --queue-stats --admin-key K         prints GetQueueStats of the demo queues
//
// Every flag also reads OMNIROUTE_<NAME> (e.g. OMNIROUTE_ADMIN_KEY), which keeps keys out of ps.
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/clock.h"
#include "services/common/config/flags.h"
#include "tools/demo/banner.h"
#include "tools/demo/demo_agents.h"
#include "tools/demo/demo_options.h"
#include "tools/demo/health.h"
#include "tools/demo/summary.h"
#include "tools/demo/tenant_run.h"
#include "tools/sim/api_client.h"

namespace omniroute::demo {
namespace {

using SteadyClock = std::chrono::steady_clock;

bool WaitHealthyOrSay(sim::ApiClient& api, int seconds) {
  std::string down;
  if (WaitHealthy(api, seconds, &down)) return true;
  std::fprintf(stderr, "omniroute-demo: not SERVING after %d s: %s\n", seconds, down.c_str());
  return false;
}

int Main(int argc, char** argv) {
  Options o;
  config::Flags flags("omniroute-demo");
  AddFlags(flags, &o);
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

  auto credentials = tls::ChannelCredentials(o.tls);
  if (!credentials.ok()) {
    std::fprintf(stderr, "omniroute-demo: %s\n",
                 std::string(credentials.status().message()).c_str());
    return 2;
  }
  sim::ApiClient api({o.intake, o.classification, o.routing, *credentials, o.tls.server_name});
  if (o.check_health) return WaitHealthyOrSay(api, o.wait_seconds) ? 0 : 1;
  if (o.queue_stats) {
    auto tenants = ParseTenants(o, false);
    if (!tenants.ok()) {
      std::fprintf(stderr, "omniroute-demo: --queue-stats: %s\n",
                   std::string(tenants.status().message()).c_str());
      return 2;
    }
    bool all_ok = true;
    for (const auto& t : *tenants) {
      std::string prefix = tenants->size() > 1 ? absl::StrCat(t.tenant, ": ") : "";
      all_ok = PrintQueueStats(api, t.tenant, t.admin_key, prefix) && all_ok;
    }
    return all_ok ? 0 : 1;
  }

  auto settings = ValidateForRun(o);
  if (!settings.ok()) {
    std::fprintf(stderr, "omniroute-demo: %s\n", std::string(settings.status().message()).c_str());
    return 2;
  }
  if (!WaitHealthyOrSay(api, o.wait_seconds)) return 1;
  SystemClock clock;
  const int64_t start_ms = clock.NowMs();
  std::vector<std::unique_ptr<TenantRun>> runs;
  for (const auto& t : settings->tenants) {
    std::string label = settings->tenants.size() > 1 ? absl::StrCat(t.tenant, ": ") : "";
    runs.push_back(std::make_unique<TenantRun>(&api, &clock, t, label, runs.size()));
    if (!runs.back()->SetUp()) return 1;
  }

  // Follow each event feed from just before the set-up, so nothing of this run is missed.
  for (auto& run : runs) run->FollowEvents(absl::StrCat(start_ms - 1000, "-0"));

  const auto loads = OfferedLoad(settings->rate, settings->channels);
  const auto roster = Roster(loads);
  bool ok = true;
  size_t agents = 0;
  for (auto& run : runs) {
    ok = run->StartAgents(roster, o.agents) && ok;
    agents += run->staff().agents.size();
  }

  PrintBanner(o, settings->rate, loads, runs);
  if (ok) {
    for (auto& run : runs) {
      run->StartTraffic(settings->rate, settings->channels, absl::StrCat("demo-", start_ms));
    }
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
      for (auto& run : runs) run->Summary(elapsed);
      next += interval;
    }
  }

  std::printf("stopping%s: traffic, then %zu agents...\n", by_signal ? " (signal)" : "", agents);
  std::fflush(stdout);
  for (auto& run : runs) run->StopTraffic();
  int64_t elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started).count();
  for (auto& run : runs) run->StopAgents();
  if (ok) {
    for (auto& run : runs) run->FinalSummary(elapsed);
  }
  for (auto& run : runs) run->Finish(ok);
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace omniroute::demo

int main(int argc, char** argv) { return omniroute::demo::Main(argc, argv); }
