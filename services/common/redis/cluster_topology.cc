#include "services/common/redis/cluster_topology.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/redis/key_slot.h"

namespace omniroute::redis {
namespace {

// [host, port, id, ...] as CLUSTER SLOTS lists a node.
std::optional<NodeAddress> NodeOf(const Reply& node) {
  if (node.type != Reply::Type::kArray || node.elements.size() < 2) return std::nullopt;
  const Reply& host = node.elements[0];
  const Reply& port = node.elements[1];
  if (host.type != Reply::Type::kString || port.type != Reply::Type::kInteger) return std::nullopt;
  if (port.integer < 1 || port.integer > 65535) return std::nullopt;
  return NodeAddress{host.str, static_cast<int>(port.integer)};
}

}  // namespace

absl::StatusOr<std::vector<SlotRange>> ParseClusterSlots(const Reply& reply) {
  if (auto st = ReplyError(reply, "CLUSTER SLOTS"); !st.ok()) return st;
  if (reply.type != Reply::Type::kArray) {
    return absl::InvalidArgumentError("CLUSTER SLOTS: not an array");
  }
  std::vector<SlotRange> ranges;
  for (size_t i = 0; i < reply.elements.size(); ++i) {
    const Reply& r = reply.elements[i];
    auto bad = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat("CLUSTER SLOTS[", i, "]: ", what));
    };
    if (r.type != Reply::Type::kArray || r.elements.size() < 3) return bad("not a range");
    const Reply& first = r.elements[0];
    const Reply& last = r.elements[1];
    if (first.type != Reply::Type::kInteger || last.type != Reply::Type::kInteger ||
        first.integer < 0 || last.integer < first.integer || last.integer >= kClusterSlots) {
      return bad("slots out of 0..16383");
    }
    SlotRange range{static_cast<int>(first.integer), static_cast<int>(last.integer), {}, {}};
    for (size_t k = 2; k < r.elements.size(); ++k) {
      auto node = NodeOf(r.elements[k]);
      if (!node) return bad(absl::StrCat("node ", k - 2, " is not [host, port, ...]"));
      if (k == 2) {
        range.master = *node;
      } else {
        range.replicas.push_back(*node);
      }
    }
    ranges.push_back(std::move(range));
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const SlotRange& a, const SlotRange& b) { return a.first < b.first; });
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first <= ranges[i - 1].last) {
      return absl::InvalidArgumentError(
          absl::StrCat("CLUSTER SLOTS: ranges overlap at slot ", ranges[i].first));
    }
  }
  return ranges;
}

const SlotRange* RangeOf(const std::vector<SlotRange>& ranges, int slot) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), slot,
                             [](int s, const SlotRange& r) { return s < r.first; });
  if (it == ranges.begin()) return nullptr;
  --it;
  return slot <= it->last ? &*it : nullptr;
}

std::optional<Redirect> ParseRedirect(const Reply& reply) {
  if (!reply.is_error()) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(reply.str, ' ');
  if (parts.size() != 3 || (parts[0] != "MOVED" && parts[0] != "ASK")) return std::nullopt;
  Redirect r;
  r.ask = parts[0] == "ASK";
  size_t colon = parts[2].rfind(':');
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(parts[1], &r.slot) ||
      !absl::SimpleAtoi(parts[2].substr(colon + 1), &r.to.port) || r.slot < 0 ||
      r.slot >= kClusterSlots) {
    return std::nullopt;
  }
  r.to.host = std::string(parts[2].substr(0, colon));
  return r;
}

}  // namespace omniroute::redis
