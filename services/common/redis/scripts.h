#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/redis/lua_library.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::redis {

// The Lua scripts of omniroute (one per state transition, each with the include files it
// names), run as functions of one Redis Functions library (FCALL). The library is loaded on
// first use by each connection's first miss: a Redis that lacks it (restarted without
// persistence, flushed, failed over to a replica that never had it) answers "Function not
// found", and the library is loaded and the call run again (it had not run).
class Scripts {
 public:
  // The library compiled into the binary.
  static const Scripts& Embedded();

  explicit Scripts(LuaLibrary library);

  // Runs a script ("routing/accept"). Fails on connection errors and on script errors (as
  // InternalError).
  absl::StatusOr<Reply> Eval(Connection& conn, const std::string& name,
                             const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) const;

  // Builds the FCALL command of a script for a pipeline; run the replies through FixNoScript.
  std::vector<std::string> Command(const std::string& name, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) const;
  // Loads the library and re-runs, one by one, the pipelined commands whose reply said the
  // function was not found.
  absl::Status FixNoScript(Connection& conn, const std::vector<std::vector<std::string>>& cmds,
                           std::vector<Reply>& replies) const;

  // Loads the library into the connection's Redis, every master of a cluster (already loaded is
  // fine).
  absl::Status Load(Connection& conn) const;

  // The Redis function that runs a script.
  const std::string& Function(const std::string& name) const;
  const LuaLibrary& library() const { return library_; }

 private:
  LuaLibrary library_;
  std::map<std::string, std::string> functions_;  // script name -> function name
};

}  // namespace omniroute::redis
