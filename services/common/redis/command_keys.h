#pragma once

#include <string>
#include <vector>

namespace omniroute::redis {

inline constexpr int kNoKeySlot = -1;  // the command names no key: any master serves it
inline constexpr int kCrossSlot = -2;  // the command names keys of several slots

// The hash slot of the keys a command names, for the commands omniroute sends: scripts (FCALL,
// EVALSHA, ... with their declared keys), XREAD and XREADGROUP (the keys after STREAMS), the
// container commands whose key follows a subcommand (XINFO, XGROUP, OBJECT, MEMORY), the
// multi-key DEL, UNLINK, EXISTS, TOUCH and MGET, and every other command by its first argument
// unless it is one of the server commands that name no key (PING, INFO, CLUSTER, FUNCTION, ...).
// KEYS counts as naming the slot of its pattern when the pattern's hash tag has no wildcard
// ("{t:acme}:ix:*": that tenant's keys, all on one node).
int CommandSlot(const std::vector<std::string>& argv);

}  // namespace omniroute::redis
