#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/common.pb.h"

namespace omniroute {

// Skills as the Lua scripts read them: a JSON object {"billing":3}. Names are validated
// ([A-Za-z0-9_.-]) so they need no escaping.
std::string EncodeSkills(const std::map<std::string, int>& skills);
absl::StatusOr<std::map<std::string, int>> DecodeSkills(const std::string& json);

// Names of interaction states as stored in Redis ("queued") and their API enum.
v1::InteractionState StateFromName(const std::string& name);

// Builds the API view of an interaction from its Redis hash (HGETALL as field/value pairs).
v1::Interaction InteractionFromHash(const std::string& tenant, const std::vector<std::string>& kv);

}  // namespace omniroute
