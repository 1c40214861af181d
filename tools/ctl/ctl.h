// What every omniroute-ctl command shares: exit codes, flag parsing, the Redis and gRPC
// connections, and how errors and times are printed.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/config/flags.h"
#include "services/common/grpc/tls.h"
#include "services/common/redis/redis_client.h"
#include "tools/sim/api_client.h"

namespace omniroute::ctl {

// Exit codes of every command (also in the usage texts and README).
enum ExitCode {
  kExitOk = 0,
  kExitFailed = 1,    // Redis or the server unreachable, or another runtime error
  kExitUsage = 2,     // bad command line, unreadable or invalid file, input refused as invalid
  kExitNotFound = 3,  // the queue, key, agent, tenant or interaction does not exist
  kExitRefused = 4,   // the API key is unknown or revoked, or lacks the role the call needs
};

// The exit-code paragraph each command's --help ends with.
extern const char kExitCodesHelp[];

// One subcommand: `omniroute-ctl <group> <name> ...` (name empty for one-word commands such
// as `explain`). `run` gets argv with argv[0] = the command's full name.
struct Command {
  std::string group;
  std::string name;
  std::string summary;
  int (*run)(int argc, char** argv);
  // The command waits for SIGINT/SIGTERM itself (sigtimedwait): main blocks both before the
  // command runs, so that no thread gRPC starts (e.g. while the TLS flags are read) takes them.
  bool takes_signals = false;
};

std::vector<Command> KeyCommands();
std::vector<Command> TenantCommands();
std::vector<Command> AdminCommands();
std::vector<Command> ViewCommands();
std::vector<Command> AgentCommands();
std::vector<Command> SourceCommands();
std::vector<Command> WebhookCommands();
std::vector<Command> WhatIfCommands();

// `text` with its lines broken at spaces to at most `width` columns.
std::string Wrap(const std::string& text, size_t width);

// Parses the command's flags (with its usage text as `description`); nullopt to go on, else
// the exit code once help or the error is printed.
std::optional<int> ParseFlags(config::Flags& flags, const std::string& description, int argc,
                              char** argv);

// Prints "<what>: <message>" on stderr (`what` is the command, argv[0]) and returns the exit
// code for the status.
int Fail(const std::string& what, const absl::Status& status);
int Fail(const std::string& what, const grpc::Status& status);

// Output format of a read command: --output text|json|yaml (not every command has all).
enum class Format { kText, kJson, kYaml };
absl::StatusOr<Format> ParseFormat(const std::string& value, const std::vector<Format>& allowed);

// --redis-url (else OMNIROUTE_REDIS_URL, like the services; a password or ACL user goes in the
// URL).
struct RedisFlags {
  std::string url = "redis://127.0.0.1:6379";
  // Adds --redis-url and parses the command's flags (as ParseFlags).
  std::optional<int> Parse(config::Flags& flags, const std::string& description, int argc,
                           char** argv);
  // Connects; the error names --redis-url when the URL is malformed (exit 2).
  absl::StatusOr<std::unique_ptr<redis::Connection>> Connect() const;
};

// --routing-addr, --api-key (else OMNIROUTE_API_KEY), --tenant, --timeout-ms and the TLS flags
// (--tls, --tls-ca, --tls-cert, --tls-key, --tls-server-name): how a command reaches the routing
// service's Admin and Routing APIs; and the command's positional argument and --output, when it
// has them.
struct ApiFlags {
  std::string routing_addr = "127.0.0.1:7103";
  std::string api_key;
  std::string tenant;  // "" = the key's own tenant
  int timeout_ms = 10000;
  std::string arg;                // the positional argument
  Format format = Format::kText;  // --output
  tls::ClientFiles tls;
  std::shared_ptr<grpc::ChannelCredentials> credentials;  // from `tls`, set by Parse

  // Declares these flags, the positional argument `arg_name` (none when empty) and --output
  // with `formats` (none when empty; the first is the default), then parses the command line
  // (as ParseFlags) and checks it: an API key is required, the TLS files must be readable.
  std::optional<int> Parse(config::Flags& flags, const std::string& arg_name,
                           const std::vector<Format>& formats, const std::string& description,
                           int argc, char** argv);
  // Stubs of the routing service (Admin and Routing; the other endpoints are unused).
  std::unique_ptr<sim::ApiClient> Client() const;
  // A call context with the key and --timeout-ms as deadline.
  std::unique_ptr<grpc::ClientContext> Context() const;
};

// Prints rows (the first is the header) as columns two spaces apart, each as wide as its
// widest cell.
void PrintTable(const std::vector<std::vector<std::string>>& rows);

// ms since the epoch as RFC 3339 UTC ("2024-05-01T12:00:00.250Z"); "-" for 0.
std::string FormatTimeMs(int64_t ms);

}  // namespace omniroute::ctl
