#include "services/common/redis/stream_id.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace omniroute::redis {
namespace {

bool ParseDecimal(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(s, out);
}

}  // namespace

std::optional<StreamId> StreamId::Parse(absl::string_view text) {
  auto dash = text.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  StreamId id;
  if (!ParseDecimal(text.substr(0, dash), &id.ms) ||
      !ParseDecimal(text.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

std::string StreamId::ToString() const { return absl::StrCat(ms, "-", seq); }

}  // namespace omniroute::redis
