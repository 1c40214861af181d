#pragma once

#include <cstdint>
#include <string>
#include <utility>

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

// ListWebhookDeadLetters: the sequence number of the last dead letter listed (newest first).
std::string DeadLetterPageToken(int64_t last_seq);
absl::StatusOr<int64_t> ParseDeadLetterPageToken(absl::string_view token);

// Page sizes of all three: 0 is the default (50), more than 500 or less than 0 INVALID_ARGUMENT
// naming page_size.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
absl::StatusOr<int> PageSize(int requested);

// A request's page_size and page_token, checked: the page size into *size and, when a token is
// given, what `parse` (ParseAgentPageToken, ParseWaitingPageToken) makes of it into *after.
template <typename Parse, typename After>
absl::Status ReadPaging(int page_size, absl::string_view token, Parse parse, int* size,
                        After* after) {
  auto checked = PageSize(page_size);
  if (!checked.ok()) return checked.status();
  *size = *checked;
  if (token.empty()) return absl::OkStatus();
  auto parsed = parse(token);
  if (!parsed.ok()) return parsed.status();
  *after = std::move(*parsed);
  return absl::OkStatus();
}

}  // namespace omniroute::routing
