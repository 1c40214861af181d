#include "services/common/redis/cluster_map.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace omniroute::redis {

std::string NodeAddress::ToString() const { return absl::StrCat(host, ":", port); }

ClusterMap::ClusterMap(std::vector<NodeAddress> seeds, Endpoint node,
                       std::chrono::milliseconds min_refresh)
    : seeds_(std::move(seeds)), node_(std::move(node)), min_refresh_(min_refresh) {
  owner_.fill(-1);
}

Endpoint ClusterMap::NodeEndpoint(const NodeAddress& address) const {
  Endpoint e = node_;
  e.host = address.host;
  e.port = address.port;
  e.cluster = nullptr;
  return e;
}

absl::StatusOr<std::vector<SlotRange>> ClusterMap::Load(
    const std::vector<NodeAddress>& from) const {
  absl::Status last = absl::UnavailableError("redis cluster: no node to ask for the slot map");
  for (const auto& address : from) {
    auto conn = Connection::Open(NodeEndpoint(address), std::chrono::milliseconds(1000));
    if (!conn.ok()) {
      last = conn.status();
      continue;
    }
    auto reply = (*conn)->Command({"CLUSTER", "SLOTS"});
    if (!reply.ok()) {
      last = reply.status();
      continue;
    }
    auto ranges = ParseClusterSlots(*reply);
    if (!ranges.ok()) {
      last = ranges.status();
      continue;
    }
    if (ranges->empty()) {
      last = absl::UnavailableError(
          absl::StrCat("redis cluster: ", address.ToString(), " serves no slots yet"));
      continue;
    }
    return ranges;
  }
  return absl::UnavailableError(
      absl::StrCat("redis cluster: no node gave the slot map: ", last.message()));
}

absl::Status ClusterMap::Refresh() {
  if (!refresh_mu_.TryLock()) return absl::OkStatus();  // another thread reloads it
  std::vector<NodeAddress> from;
  {
    absl::MutexLock lock(&mu_);
    from = masters_;
  }
  for (const auto& s : seeds_) {
    if (std::find(from.begin(), from.end(), s) == from.end()) from.push_back(s);
  }
  auto ranges = Load(from);
  absl::MutexLock lock(&mu_);
  refreshed_at_ = std::chrono::steady_clock::now();
  if (!ranges.ok()) {
    last_error_ = std::string(ranges.status().message());
    refresh_mu_.Unlock();
    return ranges.status();
  }
  std::vector<NodeAddress> masters;
  std::array<int16_t, kClusterSlots> owner;
  owner.fill(-1);
  for (const auto& r : *ranges) {
    auto it = std::find(masters.begin(), masters.end(), r.master);
    if (it == masters.end()) it = masters.insert(masters.end(), r.master);
    std::fill(owner.begin() + r.first, owner.begin() + r.last + 1,
              static_cast<int16_t>(it - masters.begin()));
  }
  if (!loaded_ || masters != masters_ || owner != owner_) ++version_;
  masters_ = std::move(masters);
  owner_ = owner;
  loaded_ = true;
  stale_ = false;
  refresh_mu_.Unlock();
  return absl::OkStatus();
}

void ClusterMap::RefreshIfDue() {
  {
    absl::MutexLock lock(&mu_);
    if (loaded_ && (!stale_ || std::chrono::steady_clock::now() - refreshed_at_ < min_refresh_)) {
      return;
    }
  }
  // A failed reload leaves the map as it was (still stale): the lookup answers from it.
  (void)Refresh();
}

absl::StatusOr<NodeAddress> ClusterMap::MasterOf(int slot) {
  RefreshIfDue();
  absl::MutexLock lock(&mu_);
  if (!loaded_) return NotLoaded();
  int16_t i = owner_[static_cast<size_t>(slot)];
  if (i < 0) {
    stale_ = true;
    return absl::UnavailableError(absl::StrCat("redis cluster: no node serves slot ", slot));
  }
  return masters_[static_cast<size_t>(i)];
}

absl::StatusOr<std::vector<NodeAddress>> ClusterMap::Masters() {
  RefreshIfDue();
  absl::MutexLock lock(&mu_);
  if (!loaded_) return NotLoaded();
  return masters_;
}

absl::Status ClusterMap::NotLoaded() const {
  return absl::UnavailableError(
      last_error_.empty() ? "redis cluster: the slot map could not be read" : last_error_);
}

void ClusterMap::Moved(int slot, const NodeAddress& to) {
  if (slot < 0 || slot >= kClusterSlots) return;
  absl::MutexLock lock(&mu_);
  auto it = std::find(masters_.begin(), masters_.end(), to);
  if (it == masters_.end()) it = masters_.insert(masters_.end(), to);
  auto index = static_cast<int16_t>(it - masters_.begin());
  if (owner_[static_cast<size_t>(slot)] != index) {
    owner_[static_cast<size_t>(slot)] = index;
    ++version_;
  }
  stale_ = true;
}

void ClusterMap::MarkStale() {
  absl::MutexLock lock(&mu_);
  stale_ = true;
}

uint64_t ClusterMap::version() const {
  absl::MutexLock lock(&mu_);
  return version_;
}

}  // namespace omniroute::redis
