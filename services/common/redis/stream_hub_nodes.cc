// The nodes a StreamHub reads from: the one Redis, or on a cluster the master of each group's
// slot; CLIENT UNBLOCK sent to the node a group's XREAD blocks on; redirected XREADs read again
// where their slot is now.
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "services/common/log/log.h"
#include "services/common/redis/cluster_map.h"
#include "services/common/redis/stream_hub.h"

namespace omniroute::redis {

void StreamHub::SendUnblocks() {
  std::vector<int> groups;
  {
    absl::MutexLock lock(&mu_);
    for (size_t g = 0; g < groups_.size() && g < io_.size(); ++g) {
      if (io_[g].in_flight && groups_[g].dirty && !io_[g].unblock_sent &&
          io_[g].conn->client_id() > 0) {
        groups.push_back(static_cast<int>(g));
      }
    }
  }
  if (groups.empty() || unblock_refused_) return;
  // One pipeline per node: CLIENT UNBLOCK must reach the node the XREAD blocks on.
  absl::flat_hash_map<std::string, std::vector<int>> by_node;
  for (int g : groups) by_node[io_[g].node].push_back(g);
  uint64_t sent = 0;
  for (const auto& [node, gs] : by_node) {
    auto& control = controls_[node];
    if (control == nullptr) {
      Endpoint e = endpoint_;
      if (endpoint_.cluster != nullptr) {
        auto colon = node.rfind(':');
        e = endpoint_.cluster->NodeEndpoint(
            {node.substr(0, colon), std::stoi(node.substr(colon + 1))});
      }
      auto conn = Connection::Open(e, options_.timeout);
      if (!conn.ok()) continue;  // the XREADs still end on their BLOCK time-out
      control = std::move(*conn);
    }
    std::vector<std::vector<std::string>> cmds;
    for (int g : gs)
      cmds.push_back({"CLIENT", "UNBLOCK", std::to_string(io_[g].conn->client_id())});
    auto replies = control->Pipeline(cmds);
    if (!replies.ok()) {
      control.reset();
      continue;
    }
    for (size_t i = 0; i < gs.size(); ++i) {
      const Reply& r = (*replies)[i];
      if (r.is_error()) {
        unblock_refused_ = true;
        log::Warn("CLIENT UNBLOCK refused: stream watchers join on the XREAD BLOCK time-out",
                  {{"error", r.str}});
        return;
      }
      // 0: the XREAD was not blocked (yet, or it has just answered); tried again next round.
      if (r.integer == 1) {
        io_[gs[i]].unblock_sent = true;
        ++sent;
      }
    }
  }
  absl::MutexLock lock(&mu_);
  counters_.unblocks += sent;
}

absl::StatusOr<Endpoint> StreamHub::GroupEndpoint(int group) {
  if (endpoint_.cluster == nullptr) return endpoint_;
  int slot;
  {
    absl::MutexLock lock(&mu_);
    slot = groups_[group].slot;
  }
  auto master = endpoint_.cluster->MasterOf(slot);
  if (!master.ok()) return master.status();
  return endpoint_.cluster->NodeEndpoint(*master);
}

bool StreamHub::Redirected(int group, const std::string& error) {
  Reply r;
  r.type = Reply::Type::kError;
  r.str = error;
  auto redirect = ParseRedirect(r);
  if (!redirect && !IsTransientError(r)) return false;
  if (++io_[group].redirected > 10) return false;
  if (redirect && !redirect->ask) {
    endpoint_.cluster->Moved(redirect->slot, redirect->to);
  } else {
    endpoint_.cluster->MarkStale();
  }
  // An ASK (a slot half-way through a move) or "not now": read again in a moment.
  if (!redirect || redirect->ask) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  io_[group].conn.reset();
  io_[group].sent.clear();
  absl::MutexLock lock(&mu_);
  --counters_.connections;
  for (const auto& key : groups_[group].keys) {
    auto it = keys_.find(key);
    if (it != keys_.end()) it->second.in_flight_after.reset();
  }
  groups_[group].dirty = true;
  return true;
}

}  // namespace omniroute::redis
