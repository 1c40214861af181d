#pragma once

// The flags of omniroute-demo and the checks that turn them into run settings.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/common.pb.h"
#include "services/common/config/flags.h"
#include "services/common/grpc/tls.h"

namespace omniroute::demo {

struct Options {
  std::string tenant = "demo";  // one tenant id, or several separated by commas
  std::string intake = "127.0.0.1:7101";
  std::string classification = "127.0.0.1:7102";
  std::string routing = "127.0.0.1:7103";
  std::string intake_metrics = "127.0.0.1:9101";
  std::string classification_metrics = "127.0.0.1:9102";
  std::string routing_metrics = "127.0.0.1:9103";
  // The HTTP/JSON fronts (printed only; "" = not shown).
  std::string intake_http = "127.0.0.1:8101";
  std::string routing_http = "127.0.0.1:8103";
  std::string admin_key, integrator_key, agent_key;  // one per tenant, separated by commas
  std::string rate = "8";
  std::string mix = "voice=3,chat=4,email=3";
  int agents = 0;  // 0 = staffed for the traffic
  int duration_seconds = 0;
  int summary_seconds = 3;
  int wait_seconds = 60;
  bool check_health = false;
  bool queue_stats = false;
  tls::ClientFiles tls;  // how to reach TLS ports (none = plaintext)
};

// One demo tenant and its API keys (a key belongs to one tenant).
struct TenantKeys {
  std::string tenant;
  std::string admin_key, integrator_key, agent_key;
};

// What a demo run (not --check-health) needs beyond the raw flags.
struct RunSettings {
  double rate = 0;                    // interactions per second, per tenant
  std::vector<v1::Channel> channels;  // one entry per unit of weight in --mix
  std::vector<TenantKeys> tenants;    // in --tenant order
};

// Registers every demo flag on `flags`, writing into `o`.
void AddFlags(config::Flags& flags, Options* o);

// The tenants of --tenant with their keys: the n-th id of --tenant gets the n-th key of
// --admin-key, --integrator-key and --agent-key. Only --admin-key is required unless
// `all_keys`. InvalidArgument names the flag when an id is not [A-Za-z0-9_-]{1,64} or repeats,
// or when a key list does not match the tenants one to one.
absl::StatusOr<std::vector<TenantKeys>> ParseTenants(const Options& o, bool all_keys);

// Checks the flags a demo run needs (rate, mix, agents, durations, the tenants and their three
// API keys). InvalidArgument carries the message for the user.
absl::StatusOr<RunSettings> ValidateForRun(const Options& o);

}  // namespace omniroute::demo
