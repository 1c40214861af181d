#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/redis_server.h"

namespace omniroute::testing {

// A real Redis Cluster on loopback: `masters` redis-server processes in cluster mode, each with
// `replicas` replicas, joined by `redis-cli --cluster create` (slots spread evenly over the
// masters). The constructor returns once every node reports cluster_state:ok and the slot map
// lists every replica, or throws.
class RedisCluster {
 public:
  RedisCluster(int masters, int replicas);
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  std::vector<std::unique_ptr<RedisServer>>& nodes() { return nodes_; }
  // host:port of every node, comma-separated (a seed list).
  std::string Seeds() const;

 private:
  std::vector<std::unique_ptr<RedisServer>> nodes_;
  std::string dir_;  // redis-cli's log
};

}  // namespace omniroute::testing
