#pragma once

#include <chrono>

#include "absl/status/status.h"
#include "services/common/redis/cluster_map.h"

namespace omniroute::redis {

// Moves hash slot `slot`, keys and all, to master `to` so that no client ever sees it half
// moved. `redis-cli --cluster reshard` moves keys while the slot is MIGRATING: a script that then
// touches a key it did not declare (our scripts derive a tenant's keys) and that is already on
// the other node fails half-way, after some of its writes. Here one script on the source
// migrates every key of the slot and gives the slot away, so no other command runs there in
// between (the source is busy for as long as the keys take to copy: the tenants of that slot
// wait); the target then takes the slot. Commands sent meanwhile are redirected between the two
// for a moment and retried by the cluster connection. OK when the slot is already there.
absl::Status MoveSlot(ClusterMap& map, int slot, const NodeAddress& to);

}  // namespace omniroute::redis
