// workload export and what-if: a tenant's recorded traffic as a workload file, and its replay
// on the routing scripts (a private redis-server) against its own config and a proposal.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/whatif/what_if.h"
#include "services/whatif/workload_builder.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/proto_file.h"

namespace omniroute::ctl {
namespace {

absl::Status WriteText(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fputs(text.c_str(), stdout);
    return absl::OkStatus();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InvalidArgumentError(absl::StrCat("--out: cannot write ", path));
  return absl::OkStatus();
}

// The tenant's config, queues and agents now, for the start of a live recording.
absl::StatusOr<whatif::WorkloadBuilder> Snapshot(const ApiFlags& api, sim::ApiClient& client,
                                                 int64_t start_ms) {
  v1::GetTenantConfigRequest creq;
  creq.set_tenant_id(api.tenant);
  v1::GetTenantConfigResponse config;
  auto st = client.admin().GetTenantConfig(api.Context().get(), creq, &config);
  if (!st.ok() && st.error_code() != grpc::StatusCode::NOT_FOUND) {
    return absl::UnavailableError(absl::StrCat("GetTenantConfig: ", st.error_message()));
  }
  v1::ListQueuesRequest qreq;
  qreq.set_tenant_id(api.tenant);
  v1::ListQueuesResponse queues;
  st = client.admin().ListQueues(api.Context().get(), qreq, &queues);
  if (!st.ok()) return absl::UnavailableError(absl::StrCat("ListQueues: ", st.error_message()));
  std::vector<v1::AgentView> agents;
  v1::ListAgentsRequest areq;
  areq.set_tenant_id(api.tenant);
  areq.set_page_size(500);
  do {
    v1::ListAgentsResponse page;
    st = client.routing().ListAgents(api.Context().get(), areq, &page);
    if (!st.ok()) return absl::UnavailableError(absl::StrCat("ListAgents: ", st.error_message()));
    agents.insert(agents.end(), page.agents().begin(), page.agents().end());
    areq.set_page_token(page.next_page_token());
  } while (!areq.page_token().empty());
  return whatif::WorkloadBuilder(
      api.tenant, start_ms, config.config(),
      std::vector<v1::Queue>(queues.queues().begin(), queues.queues().end()), agents);
}

// Follows the feed from now for `seconds` (or until Ctrl-C) and builds the workload.
absl::StatusOr<v1::Workload> Follow(const ApiFlags& api, int64_t seconds) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto client = api.Client();
  int64_t start = absl::ToUnixMillis(absl::Now());
  auto builder = Snapshot(api, *client, start);
  if (!builder.ok()) return builder.status();
  std::atomic<int64_t> end{start + seconds * 1000};
  v1::WatchEventsRequest req;
  req.set_tenant_id(api.tenant);
  req.set_after_event_id(absl::StrCat(start - 1, "-0"));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + api.api_key);
  auto reader = client->routing().WatchEvents(&ctx, req);
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    const timespec tick{0, 100 * 1000 * 1000};
    while (!done) {
      // Ctrl-C ends the window now; the stream stays 1 s longer for events still in flight.
      if (sigtimedwait(&signals, nullptr, &tick) > 0) end = absl::ToUnixMillis(absl::Now());
      if (absl::ToUnixMillis(absl::Now()) > end + 1000) {
        ctx.TryCancel();
        return;
      }
    }
  });
  v1::Event event;
  while (reader->Read(&event)) {
    if (event.at_ms() >= end) break;
    builder->Add(event);
  }
  done = true;
  ctx.TryCancel();
  watcher.join();
  auto st = reader->Finish();
  if (!st.ok() && st.error_code() != grpc::StatusCode::CANCELLED) {
    return absl::UnavailableError(absl::StrCat("WatchEvents: ", st.error_message()));
  }
  std::fprintf(stderr, "recorded %lld events\n", static_cast<long long>(builder->events()));
  return builder->Finish(end);
}

int ExportWorkload(int argc, char** argv) {
  ApiFlags api;
  int64_t start_ms = 0, end_ms = 0, since_seconds = 0, follow_seconds = 0;
  std::string out = "-";
  config::Flags flags(argv[0]);
  flags.Add("start-ms", &start_ms, "window start, ms since the epoch");
  flags.Add("end-ms", &end_ms, "window end, ms since the epoch (0: now)");
  flags.Add("since-seconds", &since_seconds, "window: the last N seconds (instead of --start-ms)");
  flags.Add("follow-seconds", &follow_seconds,
            "record live from now for N seconds (Ctrl-C ends it early): for windows longer than "
            "the feed keeps");
  flags.Add("out", &out, "workload file to write (JSON; - = stdout)");
  if (auto code = api.Parse(
          flags, "", {},
          "Writes the tenant's recorded workload (Admin.ExportWorkload; role admin): arrivals "
          "with their classification, handle times and patience, the roster over time, the "
          "config and queues, as JSON for `omniroute-ctl what-if`. A past window must be within "
          "what the event feed still holds; --follow-seconds records live instead.\n",
          argc, argv)) {
    return *code;
  }
  int modes = (start_ms > 0) + (since_seconds > 0) + (follow_seconds > 0);
  if (modes != 1) {
    return Fail(argv[0], absl::InvalidArgumentError(
                             "give one of --start-ms, --since-seconds or --follow-seconds (> 0)"));
  }
  v1::Workload workload;
  if (follow_seconds > 0) {
    auto w = Follow(api, follow_seconds);
    if (!w.ok()) return Fail(argv[0], w.status());
    workload = std::move(*w);
  } else {
    v1::ExportWorkloadRequest req;
    req.set_tenant_id(api.tenant);
    int64_t now = absl::ToUnixMillis(absl::Now());
    req.set_start_ms(since_seconds > 0 ? now - since_seconds * 1000 : start_ms);
    req.set_end_ms(since_seconds > 0 ? now : end_ms);
    v1::ExportWorkloadResponse resp;
    auto st = api.Client()->admin().ExportWorkload(api.Context().get(), req, &resp);
    if (!st.ok()) return Fail(argv[0], st);
    workload = std::move(*resp.mutable_workload());
  }
  if (auto st = WriteText(out, MessageText(workload, Format::kJson)); !st.ok()) {
    return Fail(argv[0], st);
  }
  std::fprintf(stderr, "workload: %d arrivals, %d roster changes over %.1f s\n",
               workload.arrivals_size(), workload.roster_size(),
               (workload.end_ms() - workload.start_ms()) / 1000.0);
  return kExitOk;
}

int WhatIf(int argc, char** argv) {
  std::string workload_path, proposal_path, redis_server = "redis-server", output = "text";
  int64_t seed = 1;
  config::Flags flags(argv[0]);
  flags.Add("workload", &workload_path, "workload file (`workload export`; JSON or YAML)");
  flags.Add("proposal", &proposal_path,
            "proposed changes (WhatIfProposal in admin.proto: config, queues, agents, "
            "remove_agents; JSON or YAML); none: only the workload's own config is replayed");
  flags.Add("seed", &seed, "seed of the draws (handle times, patience)");
  flags.Add("redis-server", &redis_server, "the redis-server to start as the scratch Redis");
  flags.Add("output", &output, "text or json");
  if (auto code = ParseFlags(
          flags,
          "Replays a recorded workload through the routing scripts on a private redis-server "
          "with a virtual clock (never a production Redis), against the workload's config and a "
          "proposal, and prints per queue and priority the service level, mean and p90 wait and "
          "abandonment of the recording, of the replay (current) and of the proposal, and "
          "occupancy.\n",
          argc, argv)) {
    return *code;
  }
  if (workload_path.empty()) {
    return Fail(argv[0], absl::InvalidArgumentError("--workload: required"));
  }
  auto format = ParseFormat(output, {Format::kText, Format::kJson});
  if (!format.ok()) return Fail(argv[0], format.status());
  v1::RunWhatIfRequest req;
  if (auto st = ReadMessageFile(workload_path, req.mutable_workload()); !st.ok()) {
    return Fail(argv[0], st);
  }
  if (!proposal_path.empty()) {
    if (auto st = ReadMessageFile(proposal_path, req.mutable_proposal()); !st.ok()) {
      return Fail(argv[0], st);
    }
  }
  req.set_tenant_id(req.workload().tenant_id());
  req.set_seed(static_cast<uint64_t>(seed));
  auto resp = whatif::RunWhatIf(req, redis_server);
  if (!resp.ok()) return Fail(argv[0], resp.status());
  if (*format == Format::kJson) {
    std::fputs(MessageText(*resp, Format::kJson).c_str(), stdout);
  } else {
    std::fputs(whatif::FormatWhatIf(*resp).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> WhatIfCommands() {
  return {{"workload", "export", "write the tenant's recorded workload to a file", ExportWorkload,
           /*takes_signals=*/true},
          {"what-if", "", "replay a workload against a proposed config", WhatIf}};
}

}  // namespace omniroute::ctl
