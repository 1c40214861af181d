#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace omniroute::routing {

// The page tokens of the supervisor views: where the next page starts, opaque to clients
// (web-safe base64 of a versioned text). A token that does not decode is INVALID_ARGUMENT
// naming page_token.

// ListAgents: the last agent id listed (agents are listed by id).
std::string AgentPageToken(absl::string_view last_agent);
absl::StatusOr<std::string> ParseAgentPageToken(absl::string_view token);

// ListWaiting: the last item listed, in serving order: channel, order score (as Redis wrote
// it: an integer number of ms) and interaction id.
struct WaitingCursor {
  int channel = 0;
  std::string score;
  std::string interaction_id;
};
std::string WaitingPageToken(const WaitingCursor& last);
absl::StatusOr<WaitingCursor> ParseWaitingPageToken(absl::string_view token);

// Page sizes of both: 0 is the default (50), more than 500 or less than 0 INVALID_ARGUMENT
// naming page_size.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
absl::StatusOr<int> PageSize(int requested);

}  // namespace omniroute::routing
