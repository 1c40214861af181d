// omniroute-demo: the live demo behind `make run` (scripts/run-demo.sh starts Redis and the three
// services, creates the API keys, then runs this).
//
// It waits for the three services to be SERVING, loads the demo tenant (voice, chat, email and
// billing queues; classification rules that send billing words to "billing" at P2 and fraud to P1),
// works out the load the traffic offers each queue and logs in simulated people staffed for it
// (staffing.h) plus a bot, submits steady traffic, follows the tenant's event feed, and prints a
// one-line summary every few seconds until SIGINT / SIGTERM or --duration-seconds. Then it stops
// traffic and agents (they log out), prints the final summary and exits 0.
//
//   omniroute-demo --admin-key K --integrator-key K --agent-key K [--rate 8] [--agents 0] ...
//   omniroute-demo --check-health [--wait-seconds 60]   waits until all three are SERVING
//   omniroute-demo --queue-stats --admin-key K         prints GetQueueStats of the demo queues
//
// Every flag also reads OMNIROUTE_<NAME> (e.g. OMNIROUTE_ADMIN_KEY), which keeps keys out of ps.
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/clock.h"
#include "services/common/config/flags.h"
#include "tools/demo/banner.h"
#include "tools/demo/demo_agents.h"
#include "tools/demo/demo_options.h"
#include "tools/demo/event_tracker.h"
#include "tools/demo/health.h"
#include "tools/demo/summary.h"
#include "tools/demo/tenant_setup.h"
#include "tools/demo/traffic_loop.h"
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
    if (o.admin_key.empty()) {
      std::fprintf(stderr, "omniroute-demo: --queue-stats needs --admin-key\n");
      return 2;
    }
    return PrintQueueStats(api, o.tenant, o.admin_key) ? 0 : 1;
  }

  auto settings = ValidateForRun(o);
  if (!settings.ok()) {
    std::fprintf(stderr, "omniroute-demo: %s\n", std::string(settings.status().message()).c_str());
    return 2;
  }
  if (!WaitHealthyOrSay(api, o.wait_seconds)) return 1;
  SystemClock clock;
  const int64_t start_ms = clock.NowMs();
  if (!SetUpTenant(api, o.tenant, o.admin_key)) return 1;

  // Follow the event feed from just before the set-up, so nothing of this run is missed.
  EventTracker events(&clock);
  std::thread events_thread(
      [&] { events.Run(api, o.admin_key, o.tenant, absl::StrCat(start_ms - 1000, "-0")); });

  const auto loads = OfferedLoad(settings->rate, settings->channels);
  Staff staff = StartAgents(&api, o.agent_key, Roster(loads), o.agents);
  bool ok = staff.people > 0;
  if (!ok) std::fprintf(stderr, "omniroute-demo: no agent could log in\n");

  PrintBanner(o, settings->rate, loads, staff);
  OccupancyMeter occupancy(staff.people_slots);

  std::atomic<bool> stop_traffic{false};
  TrafficCounters traffic;
  std::thread traffic_thread;
  if (ok) {
    traffic_thread = std::thread([&] {
      TrafficLoop(api, o.integrator_key, settings->rate, settings->channels,
                  absl::StrCat("demo-", start_ms), stop_traffic, traffic);
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
      double busy = occupancy.Add(clock.NowMs(), PeopleBusyMs(staff));
      PrintSummary(api, o.tenant, o.admin_key, events, traffic, busy, elapsed, "");
      next += interval;
    }
  }

  std::printf("stopping%s: traffic, then %zu agents...\n", by_signal ? " (signal)" : "",
              staff.agents.size());
  std::fflush(stdout);
  stop_traffic = true;
  if (traffic_thread.joinable()) traffic_thread.join();
  int64_t elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started).count();
  double busy = occupancy.Add(clock.NowMs(), PeopleBusyMs(staff));
  sim::AgentStats total = StopAgents(staff);
  // With the agents logged out nothing is answered any more: the final line's queue figures
  // stay what GetQueueStats says until the services stop.
  if (ok) PrintSummary(api, o.tenant, o.admin_key, events, traffic, busy, elapsed, "final ");
  events.Stop();
  events_thread.join();
  if (ok) {
    std::printf(
        "agents: %lld offers, %lld accepted, %lld declined, %lld completed, %lld escalated by the "
        "bot; all logged out\n",
        static_cast<long long>(total.offers), static_cast<long long>(total.accepted),
        static_cast<long long>(total.rejected), static_cast<long long>(total.completed),
        static_cast<long long>(total.escalated));
  }
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace omniroute::demo

int main(int argc, char** argv) { return omniroute::demo::Main(argc, argv); }
