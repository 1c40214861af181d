#pragma once

// The Redis servers omniroute-bench reads its counters from (INFO is per server): the one
// redis-server, or every master of a Redis Cluster, each through a connection of its own.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::bench {

class RedisNodes {
 public:
  // One node for a plain endpoint; for a cluster's endpoint every master of its slot map (in
  // slot order), as the map stands now (the bench does not move slots).
  static absl::StatusOr<std::unique_ptr<RedisNodes>> Open(const redis::Endpoint& endpoint,
                                                          std::chrono::milliseconds timeout);

  size_t size() const { return nodes_.size(); }
  bool cluster() const { return cluster_ != nullptr; }
  // "host:port" of node `i`.
  const std::string& name(size_t i) const { return nodes_[i].name; }
  redis::Connection& conn(size_t i) { return *nodes_[i].conn; }
  // The node holding the keys of `tenant` (the master of its hash tag's slot); 0 on a single
  // Redis. UNAVAILABLE when the slot's master is none of the nodes.
  absl::StatusOr<size_t> NodeOf(const std::string& tenant) const;

 private:
  struct Node {
    std::string name;
    redis::NodeAddress address;
    std::unique_ptr<redis::Connection> conn;
  };
  RedisNodes() = default;

  std::shared_ptr<redis::ClusterMap> cluster_;
  std::vector<Node> nodes_;
};

}  // namespace omniroute::bench
