#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::redis {

// Slots first..last (inclusive) and the nodes serving them: the master, then its replicas.
struct SlotRange {
  int first = 0;
  int last = 0;
  NodeAddress master;
  std::vector<NodeAddress> replicas;
};

// The slot map from a CLUSTER SLOTS reply, ranges in slot order. INVALID_ARGUMENT naming what is
// malformed; an error reply maps as ReplyError does (UNAVAILABLE for "not now").
absl::StatusOr<std::vector<SlotRange>> ParseClusterSlots(const Reply& reply);

// The range holding `slot`, nullptr when no node serves it.
const SlotRange* RangeOf(const std::vector<SlotRange>& ranges, int slot);

// A redirection: "MOVED <slot> <host>:<port>" (the slot lives there now: refresh the map) or
// "ASK <slot> <host>:<port>" (this one command goes there, after ASKING).
struct Redirect {
  bool ask = false;
  int slot = 0;
  NodeAddress to;
};
// The redirection an error reply carries, nullopt for any other reply.
std::optional<Redirect> ParseRedirect(const Reply& reply);

}  // namespace omniroute::redis
