#include "tools/demo/banner.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"

namespace omniroute::demo {

namespace {

// How the people were worked out from the traffic, one line per (queue, channel), then who
// logged in (per tenant when there are several).
void PrintStaffing(const Options& o, const std::vector<QueueLoad>& loads,
                   const std::vector<std::unique_ptr<TenantRun>>& runs) {
  std::printf(
      "staffing for %.0f %% occupancy: load (Erlangs) = arrivals/s x mean handle time; slots =\n"
      "        load / %.2f rounded, never above %.0f %% busy; a person has 1 voice, 3 chat or 5\n"
      "        email slots (billing: 3 chat + 3 email)\n",
      kTargetOccupancy * 100, kTargetOccupancy, kMaxOccupancy * 100);
  int slots = 0;
  for (const auto& l : loads) {
    if (l.slots == 0) {
      std::printf(
          "  %-11s %-5s %5.2f/s x %4.2f s = %5.2f Erl -> bot-01 (%.0f %% escalated, above)\n",
          l.queue.c_str(), ChannelWord(l.channel).c_str(), l.arrivals_per_second, l.handle_seconds,
          l.erlangs, kBotEscalation * 100);
      continue;
    }
    slots += l.slots;
    std::printf("  %-11s %-5s %5.2f/s x %4.2f s = %5.2f Erl -> %2d slots (%.0f %% busy)\n",
                l.queue.c_str(), ChannelWord(l.channel).c_str(), l.arrivals_per_second,
                l.handle_seconds, l.erlangs, l.slots, 100 * l.erlangs / l.slots);
  }
  if (runs.size() > 1) std::printf("        (each tenant gets this traffic and staffing)\n");
  for (const auto& run : runs) {
    const Staff& staff = run->staff();
    std::string pools;
    for (const auto& [queue, n] : staff.people_by_queue)
      absl::StrAppend(&pools, pools.empty() ? "" : ", ", queue, " ", n);
    std::printf("%speople: %s (%zu, %d slots%s)\n", run->label().c_str(), pools.c_str(),
                staff.people, staff.people_slots,
                o.agents == 0
                    ? ""
                    : absl::StrCat("; --agents ", o.agents, ": the traffic needs ", slots, " slots")
                          .c_str());
  }
}

}  // namespace

void PrintBanner(const Options& o, double rate, const std::vector<QueueLoad>& loads,
                 const std::vector<std::unique_ptr<TenantRun>>& runs) {
  const char* transport = !o.tls.enabled()          ? "gRPC"
                          : o.tls.cert_file.empty() ? "gRPC+TLS"
                                                    : "gRPC+mTLS";
  auto row = [transport](const char* name, const std::string& grpc, const std::string& metrics) {
    std::printf("  %-15s %s %-16s metrics http://%s/metrics\n", name, transport, grpc.c_str(),
                metrics.c_str());
  };
  // How grpcurl reaches the same ports.
  std::string g = "-plaintext";
  if (o.tls.enabled()) {
    g = o.tls.ca_file.empty() ? "" : absl::StrCat("-cacert ", o.tls.ca_file);
    if (!o.tls.cert_file.empty()) {
      absl::StrAppend(&g, " -cert ", o.tls.cert_file, " -key ", o.tls.key_file);
    }
    if (!o.tls.server_name.empty()) absl::StrAppend(&g, " -servername ", o.tls.server_name);
  }
  const std::string until =
      o.duration_seconds > 0 ? absl::StrCat(", for ", o.duration_seconds, " s") : ", until Ctrl-C";
  size_t people = 0, bots = 0;
  for (const auto& run : runs) {
    people += run->staff().people;
    bots += run->staff().agents.size() - run->staff().people;
  }
  const TenantKeys& first = runs.front()->keys();
  if (runs.size() == 1) {
    std::printf("omniroute demo: tenant \"%s\", %g interactions/s, %zu people and %zu bot%s\n",
                first.tenant.c_str(), rate, people, bots, until.c_str());
  } else {
    std::printf(
        "omniroute demo: %zu tenants, %g interactions/s each, %zu people and %zu bots in all%s\n",
        runs.size(), rate, people, bots, until.c_str());
  }
  row("intake", o.intake, o.intake_metrics);
  row("classification", o.classification, o.classification_metrics);
  row("routing", o.routing, o.routing_metrics);
  if (runs.size() == 1) {
    std::printf("API keys (tenant \"%s\"):\n", first.tenant.c_str());
    std::printf("  admin       %s\n  integrator  %s\n  agent       %s\n", first.admin_key.c_str(),
                first.integrator_key.c_str(), first.agent_key.c_str());
  } else {
    std::printf("API keys (each works for its own tenant only):\n");
    for (const auto& run : runs) {
      const TenantKeys& k = run->keys();
      std::printf("  %-10s admin %s  integrator %s  agent %s\n", k.tenant.c_str(),
                  k.admin_key.c_str(), k.integrator_key.c_str(), k.agent_key.c_str());
    }
  }
  std::printf(
      "queues: voice (voice_support>=1), chat (chat_support>=1), email (email_support>=1), "
      "billing (chat+email, billing>=2; rule: billing/invoice/charged/refund -> P2),\n"
      "        selfservice (bot-01: password resets on chat/email go there first; it resolves\n"
      "        most and escalates the rest to a human with its context)\n"
      "classification: rules first, then the intent model (trained on Banking77 by run-demo.sh)\n"
      "        for card delivery, account closure and lost or stolen cards\n");
  PrintStaffing(o, loads, runs);
  std::printf("try:\n");
  std::printf("  grpcurl %s %s list\n", g.c_str(), o.routing.c_str());
  std::printf(
      "  grpcurl %s -H 'authorization: Bearer %s' -d '{\"queue\":\"voice\"}' %s "
      "omniroute.v1.Routing/GetQueueStats\n",
      g.c_str(), first.admin_key.c_str(), o.routing.c_str());
  std::printf(
      "  grpcurl %s -H 'authorization: Bearer %s' -d '{\"channel\":\"CHANNEL_CHAT\","
      "\"subject\":\"refund please\"}' %s omniroute.v1.Intake/SubmitInteraction\n",
      g.c_str(), first.integrator_key.c_str(), o.intake.c_str());
  if (!o.intake_http.empty() && !o.tls.enabled()) {
    std::printf(
        "  curl -s -H 'authorization: Bearer %s' -H 'content-type: application/json' -d "
        "'{\"channel\":\"CHANNEL_EMAIL\",\"subject\":\"refund please\"}' "
        "http://%s/omniroute.v1.Intake/SubmitInteraction\n",
        first.integrator_key.c_str(), o.intake_http.c_str());
  }
  if (!o.routing_http.empty() && !o.tls.enabled()) {
    std::printf(
        "  curl -sN 'http://%s/omniroute.v1.Routing/WatchEvents?access_token=%s'"
        "   (Server-Sent Events)\n",
        o.routing_http.c_str(), first.admin_key.c_str());
  }
  std::printf("  curl -s http://%s/metrics | grep omniroute_\n", o.routing_metrics.c_str());
  std::printf(
      "watch it: the metrics endpoints above; Prometheus with its rules and alerts:\n"
      "  prometheus --config.file=deploy/prometheus/prometheus.yml "
      "--storage.tsdb.path=/tmp/omniroute-prometheus --web.listen-address=127.0.0.1:9090\n"
      "  (that config scrapes the default metrics ports 9101-9103), then Grafana dashboards from\n"
      "  deploy/grafana/ (README: \"Metrics, dashboards and alerts\")\n");
  std::fflush(stdout);
}

}  // namespace omniroute::demo
