#include "services/common/redis/scripts.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace omniroute::redis {
namespace {

// Redis's answer to FCALL of a function it does not have: "ERR Function not found".
bool IsNotLoaded(const Reply& r) {
  return r.is_error() && absl::StrContains(r.str, "Function not found");
}

}  // namespace

const Scripts& Scripts::Embedded() {
  static const Scripts* scripts = new Scripts(EmbeddedLuaLibrary());
  return *scripts;
}

Scripts::Scripts(LuaLibrary library) : library_(std::move(library)) {
  for (const auto& name : library_.scripts) {
    functions_[name] = absl::StrCat(absl::StrReplaceAll(name, {{"/", "_"}}), "_", library_.version);
  }
}

const std::string& Scripts::Function(const std::string& name) const {
  auto it = functions_.find(name);
  if (it == functions_.end()) {
    // A programming error (a script name not compiled in), never caused by input.
    std::fprintf(stderr, "omniroute: unknown Lua script '%s'\n", name.c_str());
    std::abort();
  }
  return it->second;
}

std::vector<std::string> Scripts::Command(const std::string& name,
                                          const std::vector<std::string>& keys,
                                          const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("FCALL");
  argv.push_back(Function(name));
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

absl::Status Scripts::Load(Connection& conn) const {
  // Every master of a cluster (its replicas get the library from it).
  return conn.ForEachMaster([&](Connection& node) -> absl::Status {
    auto load = node.Command({"FUNCTION", "LOAD", library_.code});
    if (!load.ok()) return load.status();
    if (load->is_error() && !absl::StrContains(load->str, "already exists")) {
      return ReplyError(*load, "FUNCTION LOAD");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Reply> Scripts::Eval(Connection& conn, const std::string& name,
                                    const std::vector<std::string>& keys,
                                    const std::vector<std::string>& args) const {
  auto cmd = Command(name, keys, args);
  auto reply = conn.Command(cmd);
  if (!reply.ok()) return reply.status();
  if (IsNotLoaded(*reply)) {
    if (auto st = Load(conn); !st.ok()) return st;
    reply = conn.Command(cmd);
    if (!reply.ok()) return reply.status();
  }
  if (auto st = ReplyError(*reply, absl::StrCat("script ", name)); !st.ok()) return st;
  return reply;
}

absl::Status Scripts::FixNoScript(Connection& conn,
                                  const std::vector<std::vector<std::string>>& cmds,
                                  std::vector<Reply>& replies) const {
  bool loaded = false;
  for (size_t i = 0; i < replies.size() && i < cmds.size(); ++i) {
    if (!IsNotLoaded(replies[i])) continue;
    if (!loaded) {
      if (auto st = Load(conn); !st.ok()) return st;
      loaded = true;
    }
    auto again = conn.Command(cmds[i]);
    if (!again.ok()) return again.status();
    replies[i] = std::move(*again);
  }
  return absl::OkStatus();
}

}  // namespace omniroute::redis
