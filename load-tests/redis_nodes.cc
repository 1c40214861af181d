#include "load-tests/redis_nodes.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/keys.h"
#include "services/common/redis/cluster_map.h"
#include "services/common/redis/key_slot.h"

namespace omniroute::bench {

absl::StatusOr<std::unique_ptr<RedisNodes>> RedisNodes::Open(const redis::Endpoint& endpoint,
                                                             std::chrono::milliseconds timeout) {
  auto nodes = std::unique_ptr<RedisNodes>(new RedisNodes());
  nodes->cluster_ = endpoint.cluster;
  std::vector<std::pair<redis::NodeAddress, redis::Endpoint>> targets;
  if (endpoint.cluster == nullptr) {
    targets.emplace_back(redis::NodeAddress{endpoint.host, endpoint.port}, endpoint);
  } else {
    auto masters = endpoint.cluster->Masters();
    if (!masters.ok()) return masters.status();
    for (const auto& m : *masters) targets.emplace_back(m, endpoint.cluster->NodeEndpoint(m));
  }
  for (auto& [address, node_endpoint] : targets) {
    auto conn = redis::Connection::Open(node_endpoint, timeout);
    if (!conn.ok()) {
      return absl::UnavailableError(
          absl::StrCat("redis ", address.ToString(), ": ", conn.status().message()));
    }
    std::string name = endpoint.unix_path.empty() || endpoint.cluster != nullptr
                           ? address.ToString()
                           : endpoint.unix_path;
    nodes->nodes_.push_back({std::move(name), address, *std::move(conn)});
  }
  return nodes;
}

absl::StatusOr<size_t> RedisNodes::NodeOf(const std::string& tenant) const {
  if (cluster_ == nullptr) return 0;
  auto master = cluster_->MasterOf(redis::KeySlot(TenantKeys(tenant).prefix()));
  if (!master.ok()) return master.status();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].address == *master) return i;
  }
  return absl::UnavailableError(absl::StrCat("tenant ", tenant, ": its master ", master->ToString(),
                                             " is not one of the masters "
                                             "listed when the bench started"));
}

}  // namespace omniroute::bench
