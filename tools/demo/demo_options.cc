#include "tools/demo/demo_options.h"

#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/validation.h"

namespace omniroute::demo {
namespace {

// "voice=3,chat=4,email=3" -> three VOICE, four CHAT, three EMAIL entries.
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

// "a,b,c" -> {"a", "b", "c"}; "" -> {}.
std::vector<std::string> List(const std::string& csv) {
  if (csv.empty()) return {};
  return absl::StrSplit(csv, ',');
}

}  // namespace

void AddFlags(config::Flags& flags, Options* o) {
  flags.Add("tenant", &o->tenant,
            "demo tenant id, or several separated by commas (each gets the traffic, agents and "
            "summary line of one tenant)");
  flags.Add("intake", &o->intake, "intake gRPC address");
  flags.Add("classification", &o->classification, "classification gRPC address");
  flags.Add("routing", &o->routing, "routing gRPC address (also Admin)");
  flags.Add("intake-metrics", &o->intake_metrics, "intake metrics address (printed only)");
  flags.Add("classification-metrics", &o->classification_metrics,
            "classification metrics address (printed only)");
  flags.Add("routing-metrics", &o->routing_metrics, "routing metrics address (printed only)");
  flags.Add("intake-http", &o->intake_http, "intake HTTP/JSON address (printed only)");
  flags.Add("routing-http", &o->routing_http, "routing HTTP/JSON address (printed only)");
  flags.Add("admin-key", &o->admin_key,
            "API key with the admin role (queues, config, stats); with several tenants one per "
            "tenant, separated by commas, in --tenant order (so too the two keys below)");
  flags.Add("integrator-key", &o->integrator_key, "API key with the integrator role (traffic)");
  flags.Add("agent-key", &o->agent_key, "API key with the agent role (simulated agents)");
  flags.Add("rate", &o->rate, "interactions submitted per second, per tenant");
  flags.Add("mix", &o->mix, "channel weights, e.g. voice=3,chat=4,email=3");
  flags.Add("agents", &o->agents,
            "simulated people (0 = as many as the traffic needs at 85 % occupancy; fewer "
            "understaff the demo)");
  flags.Add("duration-seconds", &o->duration_seconds, "stop after this long (0 = until signal)");
  flags.Add("summary-seconds", &o->summary_seconds, "seconds between summary lines");
  flags.Add("wait-seconds", &o->wait_seconds, "how long to wait for the services to be SERVING");
  flags.Add("check-health", &o->check_health,
            "only wait until the three services are SERVING, then exit 0 (1 if they are not)");
  flags.Add("queue-stats", &o->queue_stats,
            "only print GetQueueStats of each demo queue (needs --admin-key), then exit 0 (1 when "
            "a call failed)");
  tls::AddClientFlags(flags, &o->tls);
}

absl::StatusOr<std::vector<TenantKeys>> ParseTenants(const Options& o, bool all_keys) {
  std::vector<TenantKeys> out;
  std::set<std::string> seen;
  for (const std::string& id : List(o.tenant)) {
    if (auto st = ValidateTenantId("--tenant", id); !st.ok()) return st;
    if (!seen.insert(id).second) {
      return absl::InvalidArgumentError(absl::StrCat("--tenant: '", id, "' is given twice"));
    }
    out.push_back({id, "", "", ""});
  }
  if (out.empty()) return absl::InvalidArgumentError("--tenant: no tenant id given");
  struct KeyFlag {
    const char* name;
    const std::string* csv;
    std::string TenantKeys::*field;
  };
  for (const KeyFlag& f :
       {KeyFlag{"admin-key", &o.admin_key, &TenantKeys::admin_key},
        KeyFlag{"integrator-key", &o.integrator_key, &TenantKeys::integrator_key},
        KeyFlag{"agent-key", &o.agent_key, &TenantKeys::agent_key}}) {
    std::vector<std::string> keys = List(*f.csv);
    if (keys.empty() && !all_keys && f.csv != &o.admin_key) continue;
    bool blank = false;
    for (const auto& k : keys) blank = blank || k.empty();
    if (keys.size() != out.size() || blank) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", f.name, " needs one key per tenant of --tenant (", out.size(),
                       "), separated by "
                       "commas, got ",
                       keys.size(), blank && keys.size() == out.size() ? " with an empty one" : "",
                       " (create them with omniroute-ctl create-key)"));
    }
    for (size_t i = 0; i < keys.size(); ++i) out[i].*f.field = keys[i];
  }
  return out;
}

absl::StatusOr<RunSettings> ValidateForRun(const Options& o) {
  RunSettings s;
  if (!absl::SimpleAtod(o.rate, &s.rate) || !(s.rate > 0) || s.rate > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--rate must be a number > 0, got '", o.rate, "'"));
  }
  if (!ParseMix(o.mix, &s.channels)) {
    return absl::InvalidArgumentError("--mix must look like voice=3,chat=4,email=3");
  }
  if (o.agents < 0 || o.agents > 1000 || o.duration_seconds < 0 || o.summary_seconds < 1) {
    return absl::InvalidArgumentError(
        "need --agents 0..1000, --duration-seconds >= 0, --summary-seconds >= 1");
  }
  if (o.admin_key.empty() || o.integrator_key.empty() || o.agent_key.empty()) {
    return absl::InvalidArgumentError(
        "--admin-key, --integrator-key and --agent-key are required (create them with "
        "omniroute-ctl create-key)");
  }
  auto tenants = ParseTenants(o, true);
  if (!tenants.ok()) return tenants.status();
  s.tenants = *std::move(tenants);
  return s;
}

}  // namespace omniroute::demo
