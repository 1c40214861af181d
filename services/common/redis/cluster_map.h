#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/common/redis/cluster_topology.h"
#include "services/common/redis/key_slot.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::redis {

// Which master serves which hash slot, shared by every connection of a process to one Redis
// Cluster. Loaded with CLUSTER SLOTS from a known master or a seed on first use, and again after
// something showed it stale: a MOVED redirection (whose slot is moved at once), a node that could
// not be reached, a CLUSTERDOWN or READONLY reply. Reloads run on the caller's thread, one at a
// time and at most every `min_refresh` while the map stays stale. Thread-safe.
class ClusterMap {
 public:
  // `node` carries the credentials (user, password) and the connect time-out for the nodes.
  ClusterMap(std::vector<NodeAddress> seeds, Endpoint node,
             std::chrono::milliseconds min_refresh = std::chrono::milliseconds(100));

  // The master of `slot`; UNAVAILABLE when no node serves it or no node answered.
  absl::StatusOr<NodeAddress> MasterOf(int slot);
  // Every master, in slot order; UNAVAILABLE when no node answered.
  absl::StatusOr<std::vector<NodeAddress>> Masters();
  // The endpoint of one node (the credentials of the cluster, no slot map).
  Endpoint NodeEndpoint(const NodeAddress& address) const;

  // The slot is served by `to` now (a MOVED redirection); the whole map is reloaded soon.
  void Moved(int slot, const NodeAddress& to);
  // Something showed the map stale: the next lookup reloads it (rate-limited).
  void MarkStale();
  // Reloads the map now (one reload at a time: a caller that finds one running returns).
  absl::Status Refresh();
  // Grows with every change of the map (tests and consumers watch it).
  uint64_t version() const;

 private:
  // Reloads when stale and the last reload is at least min_refresh old (or none was loaded).
  void RefreshIfDue();
  absl::StatusOr<std::vector<SlotRange>> Load(const std::vector<NodeAddress>& from) const;
  // UNAVAILABLE with why the map could not be read (e.g. NOAUTH from every node).
  absl::Status NotLoaded() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::vector<NodeAddress> seeds_;
  const Endpoint node_;
  const std::chrono::milliseconds min_refresh_;
  absl::Mutex refresh_mu_;  // one reload at a time
  mutable absl::Mutex mu_;
  std::vector<NodeAddress> masters_ ABSL_GUARDED_BY(mu_);
  std::array<int16_t, kClusterSlots> owner_ ABSL_GUARDED_BY(mu_);  // index in masters_, -1
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  bool stale_ ABSL_GUARDED_BY(mu_) = true;
  std::chrono::steady_clock::time_point refreshed_at_ ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omniroute::redis
