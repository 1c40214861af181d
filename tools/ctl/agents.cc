// agents list|show|logout and waiting: the supervisor's views of agents and queues
// (Routing.ListAgents, GetAgent, ListWaiting) and force-logout (SetAgentState OFFLINE).
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/proto_file.h"

namespace omniroute::ctl {
namespace {

// An enum value given as its name ("AGENT_STATE_AWAY"), the name without the type's prefix in
// any case ("away") or its number; `flag` names the flag in the error.
template <typename Enum>
absl::StatusOr<Enum> ParseEnum(const std::string& flag, const std::string& text,
                               const google::protobuf::EnumDescriptor* type,
                               const std::string& prefix) {
  int number;
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByName(text);
  if (v == nullptr) v = type->FindValueByName(prefix + absl::AsciiStrToUpper(text));
  if (v == nullptr && absl::SimpleAtoi(text, &number)) v = type->FindValueByNumber(number);
  if (v == nullptr || v->number() == 0) {
    std::vector<std::string> names;
    for (int i = 1; i < type->value_count(); ++i) {
      names.push_back(absl::AsciiStrToLower(type->value(i)->name().substr(prefix.size())));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", text, "' is not one of ", absl::StrJoin(names, ", ")));
  }
  return static_cast<Enum>(v->number());
}

std::string LoadText(const v1::AgentView& a) {
  std::vector<std::string> out;
  for (const auto& c : a.channels()) {
    out.push_back(absl::StrCat(absl::AsciiStrToLower(v1::Channel_Name(c.channel()).substr(8)), " ",
                               c.load(), "/", c.capacity()));
  }
  return out.empty() ? "-" : absl::StrJoin(out, ",");
}

int ListAgents(int argc, char** argv) {
  ApiFlags api;
  std::string queue, state;
  config::Flags flags(argv[0]);
  flags.Add("queue", &queue, "only agents serving this queue");
  flags.Add("state", &state, "only agents in this state: offline, available or away");
  if (auto code = api.Parse(flags, "", {Format::kText, Format::kJson, Format::kYaml},
                            "Lists the tenant's agents by id: state, load per channel "
                            "(load/capacity), idle since, queues served (Routing.ListAgents; "
                            "role supervisor or admin).\n",
                            argc, argv)) {
    return *code;
  }
  v1::ListAgentsRequest req;
  req.set_tenant_id(api.tenant);
  req.set_queue(queue);
  req.set_page_size(500);
  if (!state.empty()) {
    auto s = ParseEnum<v1::AgentState>("state", state, v1::AgentState_descriptor(), "AGENT_STATE_");
    if (!s.ok()) return Fail(argv[0], s.status());
    req.set_state(*s);
  }
  auto client = api.Client();
  v1::ListAgentsResponse all, page;
  do {
    auto st = client->routing().ListAgents(api.Context().get(), req, &page);
    if (!st.ok()) return Fail(argv[0], st);
    for (auto& a : *page.mutable_agents()) *all.add_agents() = std::move(a);
    req.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  if (api.format != Format::kText) return PrintResult(argv[0], grpc::Status::OK, all, api.format);
  std::vector<std::vector<std::string>> rows = {{"AGENT", "STATE", "LOAD", "IDLE_SINCE", "QUEUES"}};
  for (const auto& a : all.agents()) {
    rows.push_back({a.agent_id(), absl::AsciiStrToLower(v1::AgentState_Name(a.state()).substr(12)),
                    LoadText(a), FormatTimeMs(a.idle_since_ms()),
                    a.eligible_queues().empty() ? "-" : absl::StrJoin(a.eligible_queues(), ",")});
  }
  PrintTable(rows);
  return kExitOk;
}

int ShowAgent(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "AGENT_ID", {Format::kYaml, Format::kJson},
                            "Prints one agent as routing sees it now: state (and why away), "
                            "capacity, load and blocked slots per channel, skills, queues served, "
                            "idle since, the work it holds (Routing.GetAgent; role supervisor or "
                            "admin).\n",
                            argc, argv)) {
    return *code;
  }
  v1::GetAgentRequest req;
  req.set_tenant_id(api.tenant);
  req.set_agent_id(api.arg);
  v1::AgentView resp;
  auto st = api.Client()->routing().GetAgent(api.Context().get(), req, &resp);
  return PrintResult(argv[0], st, resp, api.format);
}

int LogoutAgent(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "AGENT_ID", {},
                            "Forces an agent's logout (Routing.SetAgentState OFFLINE; role "
                            "supervisor): it gets no more offers, and its open offers are "
                            "withdrawn and go back to their queues.\n",
                            argc, argv)) {
    return *code;
  }
  auto client = api.Client();
  // SetAgentState would register a mistyped agent id as a new agent: look it up first (a key
  // that may not read agents goes on to the logout, which answers for itself).
  v1::GetAgentRequest get;
  get.set_tenant_id(api.tenant);
  get.set_agent_id(api.arg);
  v1::AgentView view;
  auto found = client->routing().GetAgent(api.Context().get(), get, &view);
  if (!found.ok() && found.error_code() != grpc::StatusCode::PERMISSION_DENIED) {
    return Fail(argv[0], found);
  }
  v1::SetAgentStateRequest req;
  req.set_tenant_id(api.tenant);
  req.set_agent_id(api.arg);
  req.set_state(v1::AGENT_STATE_OFFLINE);
  v1::SetAgentStateResponse resp;
  auto st = client->routing().SetAgentState(api.Context().get(), req, &resp);
  if (!st.ok()) return Fail(argv[0], st);
  for (const auto& w : resp.warnings()) std::fprintf(stderr, "%s: %s\n", argv[0], w.c_str());
  std::printf("logged out agent %s\n", api.arg.c_str());
  return kExitOk;
}

int Waiting(int argc, char** argv) {
  ApiFlags api;
  std::string channel;
  int64_t limit = 100;
  config::Flags flags(argv[0]);
  flags.Add("channel", &channel, "only this channel of the queue (e.g. chat)");
  flags.Add("limit", &limit, "print at most this many (0: all)");
  if (auto code = api.Parse(flags, "QUEUE", {Format::kText, Format::kJson, Format::kYaml},
                            "Lists the work waiting in a queue in the order it will be served: "
                            "position, interaction, channel, priority, bullseye step, wait "
                            "(Routing.ListWaiting; role supervisor or admin). Work held for its "
                            "preferred agent is counted, not listed.\n",
                            argc, argv)) {
    return *code;
  }
  if (limit < 0) return Fail(argv[0], absl::InvalidArgumentError("--limit: must be >= 0"));
  v1::ListWaitingRequest req;
  req.set_tenant_id(api.tenant);
  req.set_queue(api.arg);
  if (!channel.empty()) {
    auto ch = ParseEnum<v1::Channel>("channel", channel, v1::Channel_descriptor(), "CHANNEL_");
    if (!ch.ok()) return Fail(argv[0], ch.status());
    req.set_channel(*ch);
  }
  auto client = api.Client();
  v1::ListWaitingResponse all, page;
  do {
    int64_t left = limit == 0 ? 500 : limit - all.items_size();
    req.set_page_size(static_cast<int32_t>(std::min<int64_t>(500, left)));
    auto st = client->routing().ListWaiting(api.Context().get(), req, &page);
    if (!st.ok()) return Fail(argv[0], st);
    for (auto& item : *page.mutable_items()) *all.add_items() = std::move(item);
    all.set_total_waiting(page.total_waiting());
    all.set_reserved(page.reserved());
    req.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty() && (limit == 0 || all.items_size() < limit));
  if (api.format != Format::kText) return PrintResult(argv[0], grpc::Status::OK, all, api.format);
  std::vector<std::vector<std::string>> rows = {
      {"POS", "INTERACTION", "CHANNEL", "PRIORITY", "STEP", "WAITED"}};
  for (const auto& w : all.items()) {
    rows.push_back({std::to_string(w.position()), w.interaction_id(),
                    absl::AsciiStrToLower(v1::Channel_Name(w.channel()).substr(8)),
                    v1::Priority_Name(w.priority()).substr(9), std::to_string(w.step()),
                    absl::StrCat(w.wait_ms() / 1000, "s")});
  }
  PrintTable(rows);
  std::printf("%lld waiting, %lld held for their preferred agent\n",
              static_cast<long long>(all.total_waiting()), static_cast<long long>(all.reserved()));
  return kExitOk;
}

}  // namespace

std::vector<Command> AgentCommands() {
  return {{"agents", "list", "the tenant's agents: state, load, idle since, queues", ListAgents},
          {"agents", "show", "one agent: channels, skills, queues, work held", ShowAgent},
          {"agents", "logout", "force an agent's logout (OFFLINE)", LogoutAgent},
          {"waiting", "", "the work waiting in a queue, in serving order", Waiting}};
}

}  // namespace omniroute::ctl
