#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "absl/strings/string_view.h"

namespace omniroute::redis {

// A Redis stream entry id, "<ms>-<seq>", as two numbers so that ids compare in stream order.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  // "<ms>-<seq>" with both parts decimal; nullopt for anything else ("$", "-", "1", ...).
  static std::optional<StreamId> Parse(absl::string_view text);
  std::string ToString() const;

  friend bool operator<(const StreamId& a, const StreamId& b) {
    return std::tie(a.ms, a.seq) < std::tie(b.ms, b.seq);
  }
  friend bool operator<=(const StreamId& a, const StreamId& b) { return !(b < a); }
  friend bool operator>(const StreamId& a, const StreamId& b) { return b < a; }
  friend bool operator==(const StreamId& a, const StreamId& b) {
    return a.ms == b.ms && a.seq == b.seq;
  }
  friend bool operator!=(const StreamId& a, const StreamId& b) { return !(a == b); }
};

}  // namespace omniroute::redis
