// sources list|put|delete: the sources of provider webhooks, through the routing service's
// Admin API (README "Provider webhooks in").
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/proto_file.h"

namespace omniroute::ctl {
namespace {

int ListSources(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "", {Format::kText, Format::kJson, Format::kYaml},
                            "Lists the tenant's sources of provider webhooks, without their "
                            "secrets (role admin).\n",
                            argc, argv)) {
    return *code;
  }
  v1::ListInboundSourcesRequest req;
  req.set_tenant_id(api.tenant);
  v1::ListInboundSourcesResponse resp;
  auto st = api.Client()->admin().ListInboundSources(api.Context().get(), req, &resp);
  if (!st.ok() || api.format != Format::kText) return PrintResult(argv[0], st, resp, api.format);
  std::vector<std::vector<std::string>> rows = {{"NAME", "KIND", "QUEUE", "SECRET", "PATH"}};
  for (const auto& s : resp.sources()) {
    rows.push_back({s.name(), v1::InboundSourceKind_Name(s.kind()).substr(20), s.queue(),
                    s.secret_fingerprint(), s.path()});
  }
  PrintTable(rows);
  return kExitOk;
}

int PutSource(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(
          flags, "FILE", {},
          "Creates or replaces the source of provider webhooks FILE defines (role admin): an "
          "InboundSource of proto/omniroute/v1/admin.proto as YAML or JSON (- reads stdin), with "
          "its secret (required on every put; never printed back).\n",
          argc, argv)) {
    return *code;
  }
  v1::PutInboundSourceRequest req;
  req.set_tenant_id(api.tenant);
  if (auto st = ReadMessageFile(api.arg, req.mutable_source()); !st.ok()) {
    return Fail(argv[0], st);
  }
  v1::PutInboundSourceResponse resp;
  auto st = api.Client()->admin().PutInboundSource(api.Context().get(), req, &resp);
  if (!st.ok()) return Fail(argv[0], st);
  std::printf("stored source %s (secret %s): providers post to %s\n", resp.source().name().c_str(),
              resp.source().secret_fingerprint().c_str(), resp.source().path().c_str());
  return kExitOk;
}

int DeleteSource(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "NAME", {},
                            "Deletes a source of provider webhooks (role admin); intake "
                            "replicas stop accepting it within their cache time (2 s).\n",
                            argc, argv)) {
    return *code;
  }
  v1::DeleteInboundSourceRequest req;
  req.set_tenant_id(api.tenant);
  req.set_name(api.arg);
  v1::DeleteInboundSourceResponse resp;
  auto st = api.Client()->admin().DeleteInboundSource(api.Context().get(), req, &resp);
  if (!st.ok()) return Fail(argv[0], st);
  std::printf("deleted source %s\n", api.arg.c_str());
  return kExitOk;
}

}  // namespace

std::vector<Command> SourceCommands() {
  return {
      {"sources", "list", "the tenant's sources of provider webhooks", ListSources},
      {"sources", "put", "create or replace a webhook source from a YAML or JSON file", PutSource},
      {"sources", "delete", "delete a webhook source", DeleteSource}};
}

}  // namespace omniroute::ctl
