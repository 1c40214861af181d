// queues list|get|put|delete and config get|put: the Admin API of the routing service.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/proto_file.h"

namespace omniroute::ctl {
namespace {

const char kFileHelp[] =
    "FILE is YAML or JSON (by its extension, else by its content; - reads stdin) in the proto3 "
    "JSON mapping of the message in proto/omniroute/v1/admin.proto, as `get` prints it: field "
    "names as in the .proto (or lowerCamelCase), enums by name, text as plain text.\n";
const std::vector<Format> kGetFormats = {Format::kYaml, Format::kJson};

// Prints `done` when `status` is OK, else fails with it; returns the exit code.
int Report(const char* what, const grpc::Status& status, const std::string& done) {
  if (!status.ok()) return Fail(what, status);
  std::printf("%s\n", done.c_str());
  return kExitOk;
}

int ListQueues(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code =
          api.Parse(flags, "", {Format::kText, Format::kJson, Format::kYaml},
                    "Lists the tenant's queues (role admin or supervisor).\n", argc, argv)) {
    return *code;
  }
  v1::ListQueuesRequest req;
  req.set_tenant_id(api.tenant);
  v1::ListQueuesResponse resp;
  auto st = api.Client()->admin().ListQueues(api.Context().get(), req, &resp);
  if (!st.ok() || api.format != Format::kText) return PrintResult(argv[0], st, resp, api.format);
  std::vector<std::vector<std::string>> rows = {{"NAME", "CHANNELS", "STRATEGY", "SLA"}};
  for (const auto& q : resp.queues()) {
    std::vector<std::string> channels;
    for (int ch : q.channels()) channels.push_back(v1::Channel_Name(ch));
    rows.push_back({q.name(), absl::StrJoin(channels, ","), v1::Strategy_Name(q.strategy()),
                    absl::StrCat(q.sla_target_percent(), "% in ", q.sla_threshold_seconds(), "s")});
  }
  PrintTable(rows);
  return kExitOk;
}

int GetQueue(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "NAME", kGetFormats,
                            "Prints one queue's definition, as `queues put` reads it (role "
                            "admin or supervisor).\n",
                            argc, argv)) {
    return *code;
  }
  v1::GetQueueRequest req;
  req.set_tenant_id(api.tenant);
  req.set_name(api.arg);
  v1::GetQueueResponse resp;
  auto st = api.Client()->admin().GetQueue(api.Context().get(), req, &resp);
  return PrintResult(argv[0], st, resp.queue(), api.format);
}

int PutQueue(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(
          flags, "FILE", {},
          absl::StrCat("Creates or replaces the queue FILE defines (role admin).\n", kFileHelp),
          argc, argv)) {
    return *code;
  }
  v1::PutQueueRequest req;
  req.set_tenant_id(api.tenant);
  if (auto st = ReadMessageFile(api.arg, req.mutable_queue()); !st.ok()) return Fail(argv[0], st);
  v1::PutQueueResponse resp;
  auto st = api.Client()->admin().PutQueue(api.Context().get(), req, &resp);
  return Report(argv[0], st, "stored queue " + resp.queue().name());
}

int DeleteQueue(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "NAME", {},
                            "Deletes an empty queue (role admin); refused "
                            "(FAILED_PRECONDITION, exit 1) while work waits in it.\n",
                            argc, argv)) {
    return *code;
  }
  v1::DeleteQueueRequest req;
  req.set_tenant_id(api.tenant);
  req.set_name(api.arg);
  v1::DeleteQueueResponse resp;
  auto st = api.Client()->admin().DeleteQueue(api.Context().get(), req, &resp);
  return Report(argv[0], st, "deleted queue " + api.arg);
}

int GetConfig(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "", kGetFormats,
                            "Prints the tenant's routing and classification config, as "
                            "`config put` reads it (role admin or supervisor).\n",
                            argc, argv)) {
    return *code;
  }
  v1::GetTenantConfigRequest req;
  req.set_tenant_id(api.tenant);
  v1::GetTenantConfigResponse resp;
  auto st = api.Client()->admin().GetTenantConfig(api.Context().get(), req, &resp);
  return PrintResult(argv[0], st, resp.config(), api.format);
}

int PutConfig(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(
          flags, "FILE", {},
          absl::StrCat("Replaces the tenant's config with the TenantConfig FILE holds, after the "
                       "server validated it (role admin); `version` is set by the server.\n",
                       kFileHelp),
          argc, argv)) {
    return *code;
  }
  v1::PutTenantConfigRequest req;
  req.set_tenant_id(api.tenant);
  if (auto st = ReadMessageFile(api.arg, req.mutable_config()); !st.ok()) {
    return Fail(argv[0], st);
  }
  v1::PutTenantConfigResponse resp;
  auto st = api.Client()->admin().PutTenantConfig(api.Context().get(), req, &resp);
  return Report(argv[0], st, absl::StrCat("stored config version ", resp.config().version()));
}

}  // namespace

std::vector<Command> AdminCommands() {
  return {{"queues", "list", "the tenant's queues", ListQueues},
          {"queues", "get", "one queue's definition (YAML or JSON)", GetQueue},
          {"queues", "put", "create or replace a queue from a YAML or JSON file", PutQueue},
          {"queues", "delete", "delete an empty queue", DeleteQueue},
          {"config", "get", "the tenant config (YAML or JSON)", GetConfig},
          {"config", "put", "replace the tenant config from a YAML or JSON file", PutConfig}};
}

}  // namespace omniroute::ctl
