#include "tools/demo/banner.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"

namespace omniroute::demo {

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
      "billing (chat+email, billing>=2; rule: billing/invoice/charged/refund -> P2),\n"
      "        selfservice (bot-01: password resets on chat/email go there first; it resolves\n"
      "        most and escalates the rest to a human with its context)\n"
      "classification: rules first, then the intent model (trained on Banking77 by run-demo.sh)\n"
      "        for card delivery, account closure and lost or stolen cards\n");
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
  std::printf(
      "watch it: the metrics endpoints above; Prometheus with its rules and alerts:\n"
      "  prometheus --config.file=deploy/prometheus/prometheus.yml "
      "--storage.tsdb.path=/tmp/omniroute-prometheus --web.listen-address=127.0.0.1:9090\n"
      "  (that config scrapes the default metrics ports 9101-9103), then Grafana dashboards from\n"
      "  deploy/grafana/ (README: \"Metrics, dashboards and alerts\")\n");
  std::fflush(stdout);
}

}  // namespace omniroute::demo
