// omniroute-ctl: the operator's tool. `omniroute-ctl --help` lists the commands; each command
// has its own --help. API keys and tenants work on Redis directly (so a first key can be made
// before any exists); queues, config, webhooks and the views go through the routing service's Admin
// and Routing APIs with an API key.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/build_info.h"
#include "tools/ctl/ctl.h"

namespace {

using omniroute::ctl::Command;

std::vector<Command> AllCommands() {
  std::vector<Command> all;
  for (auto group : {omniroute::ctl::KeyCommands(), omniroute::ctl::TenantCommands(),
                     omniroute::ctl::AdminCommands(), omniroute::ctl::WebhookCommands(),
                     omniroute::ctl::AgentCommands(), omniroute::ctl::ViewCommands(),
                     omniroute::ctl::SourceCommands(), omniroute::ctl::WhatIfCommands()}) {
    all.insert(all.end(), group.begin(), group.end());
  }
  return all;
}

// The commands (of one group, or all when `group` is empty) with their summaries.
std::string Usage(const std::vector<Command>& commands, const std::string& group) {
  std::string out =
      "usage: omniroute-ctl COMMAND [args] [flags]   (omniroute-ctl COMMAND --help)\n";
  size_t width = 0;  // of the longest command name, for the summaries' column
  for (const auto& c : commands) width = std::max(width, c.group.size() + c.name.size() + 2);
  for (const auto& c : commands) {
    if (!group.empty() && c.group != group) continue;
    std::string name = c.name.empty() ? c.group : c.group + " " + c.name;
    absl::StrAppend(&out, "  ", name, std::string(width - name.size(), ' '), c.summary, "\n");
  }
  absl::StrAppend(&out,
                  omniroute::ctl::Wrap(absl::StrCat("Each flag can also be set as OMNIROUTE_<FLAG> "
                                                    "(--redis-url: OMNIROUTE_REDIS_URL, --api-key: "
                                                    "OMNIROUTE_API_KEY).\n",
                                                    omniroute::ctl::kExitCodesHelp),
                                       100));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const auto commands = AllCommands();
  if (argc < 2) {
    std::fputs(Usage(commands, "").c_str(), stderr);
    return omniroute::ctl::kExitUsage;
  }
  std::string first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    std::fputs(Usage(commands, "").c_str(), stdout);
    return 0;
  }
  if (first == "--version") {
    std::printf("%s\n", omniroute::VersionLine("omniroute-ctl").c_str());
    return 0;
  }
  std::string second = argc > 2 ? argv[2] : "";
  bool group_known = false;
  for (const auto& c : commands) {
    if (c.group != first) continue;
    group_known = true;
    if (!c.name.empty() && c.name != second) continue;
    // argv from the command's own name on, as its flag parser expects.
    int skip = c.name.empty() ? 1 : 2;
    std::string full = c.name.empty() ? c.group : c.group + " " + c.name;
    std::string program = "omniroute-ctl " + full;
    std::vector<char*> args = {program.data()};
    for (int i = 1 + skip; i < argc; ++i) args.push_back(argv[i]);
    if (c.takes_signals) {
      sigset_t signals;
      sigemptyset(&signals);
      sigaddset(&signals, SIGINT);
      sigaddset(&signals, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    }
    return c.run(static_cast<int>(args.size()), args.data());
  }
  if (group_known && (second == "--help" || second == "-h" || second.empty())) {
    std::fputs(Usage(commands, first).c_str(), second.empty() ? stderr : stdout);
    return second.empty() ? omniroute::ctl::kExitUsage : omniroute::ctl::kExitOk;
  }
  std::string what = group_known ? first + " " + second : first;
  std::fprintf(stderr, "omniroute-ctl: unknown command '%s' (omniroute-ctl --help lists them)\n",
               what.c_str());
  return omniroute::ctl::kExitUsage;
}
