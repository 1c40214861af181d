// The cluster side of redis::Connection: commands routed to the master of their slot.
#include <algorithm>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/redis/cluster_map.h"
#include "services/common/redis/command_keys.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::redis {
namespace {

constexpr int kMaxRedirects = 5;

bool HasPrefix(const Reply& r, absl::string_view prefix) {
  return r.is_error() && absl::StartsWith(r.str, prefix) &&
         (r.str.size() == prefix.size() || r.str[prefix.size()] == ' ');
}

// "Not now" replies of a cluster that a moment may fix: a slot moving (TRYAGAIN), a failover
// (CLUSTERDOWN; READONLY from a master that became a replica; MASTERDOWN).
bool IsClusterRetry(const Reply& r) {
  return HasPrefix(r, "TRYAGAIN") || HasPrefix(r, "CLUSTERDOWN") || HasPrefix(r, "READONLY") ||
         HasPrefix(r, "MASTERDOWN");
}

Reply NodeDown(absl::string_view node, absl::string_view why) {
  Reply r;
  r.type = Reply::Type::kError;
  r.str = absl::StrCat("NODEDOWN redis node ", node, " could not be reached (", why,
                       "); the command may or may not have run");
  return r;
}

// The master serving `slot`; any master for kNoKeySlot.
absl::StatusOr<NodeAddress> NodeFor(ClusterMap* map, int slot) {
  if (slot != kNoKeySlot) return map->MasterOf(slot);
  auto masters = map->Masters();
  if (!masters.ok()) return masters.status();
  return masters->front();
}

// When a cluster call gives up: the connection time-out from now, or the thread's call deadline
// when that comes first.
std::chrono::steady_clock::time_point GiveUpAt(std::chrono::milliseconds timeout) {
  auto now = std::chrono::steady_clock::now();
  auto until = now + timeout;
  auto call = CallDeadline::Current();
  if (call != std::chrono::system_clock::time_point::max()) {
    auto left = call - std::chrono::system_clock::now();
    until = std::min(until, now + std::chrono::duration_cast<std::chrono::milliseconds>(left));
  }
  return until;
}

// Sleeps `backoff` (then doubles it, up to 100 ms) if that ends before `until`; false if not.
bool Backoff(std::chrono::milliseconds& backoff, std::chrono::steady_clock::time_point until) {
  if (std::chrono::steady_clock::now() + backoff >= until) return false;
  std::this_thread::sleep_for(backoff);
  backoff = std::min(backoff * 2, std::chrono::milliseconds(100));
  return true;
}

}  // namespace

absl::StatusOr<Connection*> Connection::NodeConnection(const NodeAddress& address) {
  for (auto& n : nodes_) {
    if (n.address == address) {
      if (!n.conn->broken()) return n.conn.get();
      DropNode(address);
      break;
    }
  }
  auto conn = Connection::Open(cluster_->NodeEndpoint(address), timeout_, nullptr, timed_);
  if (!conn.ok()) {
    if (observer_ != nullptr) observer_->Failed();
    return conn.status();
  }
  nodes_.push_back({address, std::move(*conn)});
  return nodes_.back().conn.get();
}

void Connection::DropNode(const NodeAddress& address) {
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(),
                              [&](const Node& n) { return n.address == address; }),
               nodes_.end());
}

absl::StatusOr<Reply> Connection::Route(const std::vector<std::string>& argv, int slot,
                                        std::optional<NodeAddress> ask) {
  auto until = GiveUpAt(timeout_);
  auto backoff = std::chrono::milliseconds(5);
  int redirects = 0;
  while (true) {
    absl::StatusOr<NodeAddress> node = ask ? *ask : NodeFor(cluster_.get(), slot);
    if (!node.ok()) {
      cluster_->MarkStale();
      if (Backoff(backoff, until)) continue;
      return node.status();
    }
    auto conn = NodeConnection(*node);
    if (!conn.ok()) {  // nothing was sent: waiting for a failover to end is safe
      cluster_->MarkStale();
      ask.reset();
      if (Backoff(backoff, until)) continue;
      return conn.status();
    }
    absl::StatusOr<Reply> reply;
    if (ask) {
      auto both = (*conn)->Pipeline({{"ASKING"}, argv});
      if (both.ok()) {
        reply = std::move((*both)[1]);
      } else {
        reply = both.status();
      }
    } else {
      reply = (*conn)->Command(argv);
    }
    if (!reply.ok()) {  // sent, so it may have run: the caller decides
      DropNode(*node);
      cluster_->MarkStale();
      if (observer_ != nullptr) observer_->Failed();
      return reply.status();
    }
    if (auto redirect = ParseRedirect(*reply)) {
      if (++redirects > kMaxRedirects && !Backoff(backoff, until)) return reply;
      // Two nodes that send a slot to each other hand it over right now: wait a moment.
      if (redirects > 1 && !Backoff(backoff, until)) return reply;
      if (!redirect->ask) cluster_->Moved(redirect->slot, redirect->to);
      ask = redirect->ask ? std::optional<NodeAddress>(redirect->to) : std::nullopt;
      continue;
    }
    if (IsClusterRetry(*reply)) {
      if (!HasPrefix(*reply, "TRYAGAIN")) cluster_->MarkStale();
      ask.reset();
      if (Backoff(backoff, until)) continue;
    }
    return reply;
  }
}

absl::StatusOr<Reply> Connection::ClusterCommand(const std::vector<std::string>& argv) {
  int slot = CommandSlot(argv);
  if (slot == kCrossSlot) {
    return absl::InternalError(
        absl::StrCat("redis cluster: ", argv[0], " names keys of several hash slots"));
  }
  auto started = std::chrono::steady_clock::now();
  auto reply = Route(argv, slot, std::nullopt);
  if (reply.ok()) Observe(started);
  return reply;
}

absl::StatusOr<std::vector<Reply>> Connection::ClusterPipeline(
    const std::vector<const std::vector<std::string>*>& cmds) {
  auto started = std::chrono::steady_clock::now();
  const size_t n = cmds.size();
  std::vector<Reply> out(n);
  std::vector<int> slots(n);
  std::vector<std::optional<NodeAddress>> ask(n);
  std::vector<size_t> again;  // sent once more, one by one, in order
  struct Group {
    NodeAddress node;
    std::vector<size_t> at;
    Connection* conn = nullptr;
  };
  std::vector<Group> groups;
  std::vector<int> group_of(n, -1);  // each command's group, -1 while it has none
  for (size_t i = 0; i < n; ++i) {
    slots[i] = CommandSlot(*cmds[i]);
    if (slots[i] == kCrossSlot) {
      out[i].type = Reply::Type::kError;
      out[i].str = absl::StrCat("CROSSSLOT ", (*cmds[i])[0], " names keys of several hash slots");
      continue;
    }
    absl::StatusOr<NodeAddress> node;
    if (slots[i] == kNoKeySlot && i > 0 && slots[i - 1] >= 0 && group_of[i - 1] >= 0) {
      // A command without keys goes where the one before it went (WAIT after a write).
      node = groups[static_cast<size_t>(group_of[i - 1])].node;
    } else {
      node = NodeFor(cluster_.get(), slots[i]);
    }
    if (!node.ok()) {
      again.push_back(i);
      continue;
    }
    auto g =
        std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.node == *node; });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{*node, {}, nullptr});
    g->at.push_back(i);
    group_of[i] = static_cast<int>(g - groups.begin());
  }
  // Every node gets its commands before any reply is read: the nodes work in parallel.
  for (auto& g : groups) {
    auto conn = NodeConnection(g.node);
    if (!conn.ok()) {  // nothing sent: sent again below, after the map is reloaded
      cluster_->MarkStale();
      again.insert(again.end(), g.at.begin(), g.at.end());
      continue;
    }
    std::vector<const std::vector<std::string>*> mine;
    for (size_t i : g.at) mine.push_back(cmds[i]);
    if (auto st = (*conn)->Send(mine); !st.ok()) {
      for (size_t i : g.at) out[i] = NodeDown(g.node.ToString(), st.message());
      DropNode(g.node);
      cluster_->MarkStale();
      continue;
    }
    g.conn = *conn;
  }
  for (auto& g : groups) {
    if (g.conn == nullptr) continue;
    for (size_t k = 0; k < g.at.size(); ++k) {
      size_t i = g.at[k];
      auto reply = g.conn->Receive();
      if (!reply.ok()) {
        for (size_t j = k; j < g.at.size(); ++j)
          out[g.at[j]] = NodeDown(g.node.ToString(), reply.status().message());
        DropNode(g.node);
        cluster_->MarkStale();
        if (observer_ != nullptr) observer_->Failed();
        break;
      }
      if (auto redirect = ParseRedirect(*reply)) {
        if (!redirect->ask) cluster_->Moved(redirect->slot, redirect->to);
        if (redirect->ask) ask[i] = redirect->to;
        again.push_back(i);
      } else if (IsClusterRetry(*reply)) {
        again.push_back(i);
      } else {
        out[i] = std::move(*reply);
      }
    }
  }
  // Redirected and refused commands, in their order (a rare path: a slot moved, a failover).
  std::sort(again.begin(), again.end());
  for (size_t i : again) {
    auto reply = Route(*cmds[i], slots[i], ask[i]);
    out[i] = reply.ok() ? std::move(*reply)
                        : NodeDown(absl::StrCat("of slot ", slots[i]), reply.status().message());
  }
  Observe(started);
  return out;
}

absl::Status Connection::ForEachMaster(const std::function<absl::Status(Connection&)>& fn) {
  if (cluster_ == nullptr) return fn(*this);
  auto masters = cluster_->Masters();
  if (!masters.ok()) return masters.status();
  for (const auto& m : *masters) {
    auto conn = NodeConnection(m);
    if (!conn.ok()) {
      cluster_->MarkStale();
      return conn.status();
    }
    // Taken out of nodes_ while `fn` runs: `fn` may send commands through this connection too,
    // which may open or drop node connections.
    std::unique_ptr<Connection> owned;
    for (auto& n : nodes_) {
      if (n.conn.get() == *conn) owned = std::move(n.conn);
    }
    DropNode(m);
    absl::Status st = fn(*owned);
    bool known =
        std::any_of(nodes_.begin(), nodes_.end(), [&](const Node& n) { return n.address == m; });
    if (!owned->broken() && !known) nodes_.push_back({m, std::move(owned)});
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace omniroute::redis
