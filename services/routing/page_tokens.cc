#include "services/routing/page_tokens.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "omniroute/v1/common.pb.h"
#include "services/common/validation.h"

namespace omniroute::routing {
namespace {

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token: not a token this call returned (pass next_page_token as it came)");
}

// The token's text if it decodes and starts with `kind`, without it.
absl::StatusOr<std::string> Decode(absl::string_view token, absl::string_view kind) {
  std::string text;
  if (token.size() > 1024 || !absl::WebSafeBase64Unescape(token, &text) ||
      !absl::StartsWith(text, kind)) {
    return BadToken();
  }
  return text.substr(kind.size());
}

}  // namespace

std::string AgentPageToken(absl::string_view last_agent) {
  return absl::WebSafeBase64Escape(absl::StrCat("a1|", last_agent));
}

absl::StatusOr<std::string> ParseAgentPageToken(absl::string_view token) {
  auto agent = Decode(token, "a1|");
  if (!agent.ok() || !ValidateExternalId("page_token", *agent).ok()) return BadToken();
  return agent;
}

std::string WaitingPageToken(const WaitingCursor& last) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("w1|", last.channel, "|", last.score, "|", last.interaction_id));
}

absl::StatusOr<WaitingCursor> ParseWaitingPageToken(absl::string_view token) {
  auto text = Decode(token, "w1|");
  if (!text.ok()) return text.status();
  std::vector<std::string> parts = absl::StrSplit(*text, '|');
  WaitingCursor c;
  int64_t score = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &c.channel) ||
      !v1::Channel_IsValid(c.channel) || c.channel == v1::CHANNEL_UNSPECIFIED ||
      !absl::SimpleAtoi(parts[1], &score) || parts[1] != absl::StrCat(score) ||
      !ValidateInteractionId("page_token", parts[2]).ok()) {
    return BadToken();
  }
  c.score = parts[1];
  c.interaction_id = parts[2];
  return c;
}

std::string DeadLetterPageToken(int64_t last_seq) {
  return absl::WebSafeBase64Escape(absl::StrCat("d1|", last_seq));
}

absl::StatusOr<int64_t> ParseDeadLetterPageToken(absl::string_view token) {
  auto text = Decode(token, "d1|");
  int64_t seq = 0;
  if (!text.ok() || !absl::SimpleAtoi(*text, &seq) || seq < 1 || *text != absl::StrCat(seq)) {
    return BadToken();
  }
  return seq;
}

absl::StatusOr<int> PageSize(int requested) {
  if (requested < 0 || requested > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 1..", kMaxPageSize, " (0 = ", kDefaultPageSize, ")"));
  }
  return requested == 0 ? kDefaultPageSize : requested;
}

}  // namespace omniroute::routing
