#include "tests/support/redis_cluster.h"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/support/free_port.h"

namespace omniroute::testing {

RedisCluster::RedisCluster(int masters, int replicas) {
  int n = masters * (1 + replicas);
  for (int i = 0; i < n; ++i) {
    // The cluster bus gets its own free port (by default it is the port + 10000, which may be
    // taken or past 65535).
    nodes_.push_back(std::make_unique<RedisServer>(
        false, std::vector<std::string>{"--cluster-enabled", "yes", "--cluster-node-timeout",
                                        "2000", "--repl-diskless-sync-delay", "0", "--cluster-port",
                                        std::to_string(FreePort())}));
  }
  // redis-cli makes the first `masters` nodes masters and the others their replicas.
  dir_ = MakeTempDir("omniroute-cluster");
  std::string log = absl::StrCat(dir_, "/create.log");
  std::string cmd = absl::StrCat("redis-cli --cluster create ", Seeds(), " --cluster-replicas ",
                                 replicas, " --cluster-yes > '", log, "' 2>&1");
  for (auto& c : cmd) {
    if (c == ',') c = ' ';
  }
  if (std::system(cmd.c_str()) != 0) {
    throw std::runtime_error("redis-cli --cluster create failed; see " + log);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (auto& node : nodes_) {
    auto conn = node->Connect();
    while (true) {
      auto info = conn->Command({"CLUSTER", "INFO"});
      if (info.ok() && absl::StrContains(info->str, "cluster_state:ok")) break;
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error(absl::StrCat("node ", node->port(), " not in a working cluster"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  // And the first node's slot map lists every replica (a replica shows once it has joined).
  auto conn = nodes_[0]->Connect();
  while (true) {
    auto slots = conn->Command({"CLUSTER", "SLOTS"});
    bool complete = slots.ok() && !slots->elements.empty();
    for (const auto& range : complete ? slots->elements : std::vector<redis::Reply>{}) {
      complete = complete && range.elements.size() == static_cast<size_t>(3 + replicas);
    }
    if (complete) break;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the cluster's slot map never listed every replica");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

RedisCluster::~RedisCluster() {
  nodes_.clear();
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

std::string RedisCluster::Seeds() const {
  std::vector<std::string> seeds;
  for (const auto& node : nodes_) seeds.push_back(absl::StrCat("127.0.0.1:", node->port()));
  return absl::StrJoin(seeds, ",");
}

}  // namespace omniroute::testing
