// explain and events tail: what routing did, read through the Routing API.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/proto_file.h"

namespace omniroute::ctl {
namespace {

std::string SkillsText(const google::protobuf::RepeatedPtrField<v1::Skill>& skills) {
  std::vector<std::string> out;
  for (const auto& s : skills) out.push_back(absl::StrCat(s.name(), ">=", s.proficiency()));
  return out.empty() ? "-" : absl::StrJoin(out, ",");
}

void PrintDecision(const v1::RoutingDecision& d) {
  std::printf("%s  queue %s  %s  trigger %s  strategy %s  step %d\n",
              FormatTimeMs(d.at_ms()).c_str(), d.queue().c_str(),
              v1::Channel_Name(d.channel()).c_str(), d.trigger().c_str(), d.strategy().c_str(),
              d.step());
  std::printf("  waiting %lld, eligible free agents %lld, extra skills %s, step skills %s\n",
              static_cast<long long>(d.waiting()), static_cast<long long>(d.eligible_free_agents()),
              SkillsText(d.extra_skills()).c_str(), SkillsText(d.step_required_skills()).c_str());
  std::vector<std::string> candidates;
  for (const auto& c : d.candidates()) {
    candidates.push_back(absl::StrCat(c.agent_id(), " (score ", c.score(),
                                      c.excluded().empty() ? "" : ", " + c.excluded(), ")"));
  }
  std::printf("  chosen %s; candidates: %s\n",
              d.chosen_agent_id().empty() ? "-" : d.chosen_agent_id().c_str(),
              candidates.empty() ? "-" : absl::StrJoin(candidates, ", ").c_str());
}

int Explain(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "INTERACTION_ID", {Format::kText, Format::kJson, Format::kYaml},
                            "Why an interaction was offered to whom: the routing decisions "
                            "recorded for it, oldest first (Routing.ExplainRouting; role agent, "
                            "supervisor or admin).\n",
                            argc, argv)) {
    return *code;
  }
  v1::ExplainRoutingRequest req;
  req.set_tenant_id(api.tenant);
  req.set_interaction_id(api.arg);
  v1::ExplainRoutingResponse resp;
  auto st = api.Client()->routing().ExplainRouting(api.Context().get(), req, &resp);
  if (!st.ok() || api.format != Format::kText) return PrintResult(argv[0], st, resp, api.format);
  std::printf("interaction %s: %d routing decision(s)\n", resp.interaction_id().c_str(),
              resp.decisions_size());
  for (const auto& d : resp.decisions()) PrintDecision(d);
  return kExitOk;
}

void PrintEvent(const v1::Event& e) {
  std::string line = absl::StrCat(e.event_id(), "  ", FormatTimeMs(e.at_ms()), "  ", e.type());
  auto field = [&](const char* name, const std::string& value) {
    if (!value.empty()) absl::StrAppend(&line, "  ", name, "=", value);
  };
  field("interaction", e.interaction_id());
  field("agent", e.agent_id());
  field("queue", e.queue());
  if (e.channel() != v1::CHANNEL_UNSPECIFIED) field("channel", v1::Channel_Name(e.channel()));
  std::map<std::string, std::string> detail(e.detail().begin(), e.detail().end());
  for (const auto& [k, v] : detail) field(k.c_str(), v);
  std::printf("%s\n", line.c_str());
}

int TailEvents(int argc, char** argv) {
  ApiFlags api;
  std::string from, after;
  int64_t count = 0;
  int idle_ms = 2000;
  bool follow = false;
  config::Flags flags(argv[0]);
  flags.Add("from", &from, "0: start at the oldest event the feed keeps");
  flags.Add("after", &after, "start after this event id (resume)");
  flags.Add("count", &count, "stop after this many events (0: no limit)");
  flags.Add("follow", &follow, "keep waiting for new events until Ctrl-C (or --count)");
  flags.Add("idle-ms", &idle_ms, "without --follow, stop once no event came for this long");
  if (auto code = api.Parse(flags, "", {Format::kText, Format::kJson},
                            "Prints the tenant's event feed, one line per event (json: one object "
                            "per line) (Routing.WatchEvents; role supervisor or admin). Starts "
                            "with new events, or at the oldest kept with --from 0, or after an "
                            "event id with --after. Stops after --count events, or without "
                            "--follow once no event came for --idle-ms; Ctrl-C stops it too "
                            "(exit 0).\n",
                            argc, argv)) {
    return *code;
  }
  if (!from.empty() && from != "0") {
    return Fail(argv[0], absl::InvalidArgumentError("--from: only 0 (the oldest event) is known"));
  }
  if (!from.empty() && !after.empty()) {
    return Fail(argv[0], absl::InvalidArgumentError("--from and --after: give one of them"));
  }
  if (count < 0 || idle_ms < 1) {
    return Fail(argv[0], absl::InvalidArgumentError("--count must be >= 0, --idle-ms >= 1"));
  }
  // Ctrl-C and SIGTERM are taken by the watcher thread below (main blocked them before the
  // command ran, so no thread gRPC starts gets them; Command::takes_signals).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  v1::WatchEventsRequest req;
  req.set_tenant_id(api.tenant);
  req.set_after_event_id(from.empty() ? after : from);
  auto client = api.Client();
  grpc::ClientContext ctx;  // no deadline: the stream lasts as long as wanted
  ctx.AddMetadata("authorization", "Bearer " + api.api_key);
  auto reader = client->routing().WatchEvents(&ctx, req);
  std::atomic<int64_t> last_ms{absl::ToUnixMillis(absl::Now())};
  std::atomic<bool> done{false}, stopped{false};
  std::thread watcher([&] {
    const timespec tick{0, 100 * 1000 * 1000};
    while (!done) {
      bool idle = !follow && absl::ToUnixMillis(absl::Now()) - last_ms > idle_ms;
      if (sigtimedwait(&signals, nullptr, &tick) > 0 || idle) {
        stopped = true;
        ctx.TryCancel();
        return;
      }
    }
  });
  v1::Event event;
  int64_t n = 0;
  while (reader->Read(&event)) {
    last_ms = absl::ToUnixMillis(absl::Now());
    if (api.format == Format::kJson) {
      std::fputs(MessageText(event, Format::kJson, /*one_line=*/true).c_str(), stdout);
    } else {
      PrintEvent(event);
    }
    std::fflush(stdout);
    if (count > 0 && ++n >= count) {
      stopped = true;
      ctx.TryCancel();
      break;
    }
  }
  done = true;
  watcher.join();
  auto st = reader->Finish();
  if (st.ok() || (stopped && st.error_code() == grpc::StatusCode::CANCELLED)) return kExitOk;
  return Fail(argv[0], st);
}

}  // namespace

std::vector<Command> ViewCommands() {
  return {{"explain", "", "why an interaction went to whom", Explain},
          {"events", "tail", "print the tenant's event feed", TailEvents, /*takes_signals=*/true}};
}

}  // namespace omniroute::ctl
