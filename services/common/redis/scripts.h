#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::redis {

// The Lua scripts of omniroute (one file per state transition, bundled with the include files
// it names), embedded at build time and called by SHA. NOSCRIPT (a restarted or failed-over
// Redis) is handled by loading the script and running it again: it had not run.
class Scripts {
 public:
  // Every script compiled into the binary: name ("routing/accept") -> full source.
  static const Scripts& Embedded();

  explicit Scripts(std::map<std::string, std::string> sources);

  // Runs a script. Fails on connection errors and on script errors (as InternalError).
  absl::StatusOr<Reply> Eval(Connection& conn, const std::string& name,
                             const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) const;

  // Builds an EVALSHA command for a pipeline; run the replies through FixNoScript.
  std::vector<std::string> Command(const std::string& name, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) const;
  // Re-runs, one by one, the pipelined commands whose reply was NOSCRIPT.
  absl::Status FixNoScript(Connection& conn, const std::vector<std::vector<std::string>>& cmds,
                           std::vector<Reply>& replies) const;

  const std::string& Source(const std::string& name) const;
  const std::string& Sha(const std::string& name) const;

 private:
  struct Entry {
    std::string source;
    std::string sha;
  };
  const Entry& Find(const std::string& name) const;
  const Entry* FindBySha(const std::string& sha) const;

  std::map<std::string, Entry> scripts_;
};

}  // namespace omniroute::redis
