#pragma once

// The processes omniroute-bench measures: a private redis-server (or a private Redis Cluster,
// --redis-cluster-masters) and one replica of each service on free loopback ports, or the ones
// given by flags.

#include <sys/types.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "load-tests/bench_config.h"
#include "services/common/redis/redis_client.h"
#include "tests/support/process.h"
#include "tests/support/redis_cluster.h"
#include "tests/support/redis_server.h"
#include "tools/sim/api_client.h"

namespace omniroute::bench {

class Services {
 public:
  // Starts what `cfg` does not give (Redis unless --redis-url, a cluster of
  // --redis-cluster-masters masters when that is set; the three services unless
  // --intake ...) and waits, at most 20 s or until `interrupted`, until every started service
  // is SERVING. The executables come from cfg.bin_dir.
  static absl::StatusOr<std::unique_ptr<Services>> Start(const Config& cfg,
                                                         const std::atomic<bool>& interrupted);
  // Kills the started processes and removes their directory.
  ~Services();
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  const sim::Endpoints& endpoints() const { return endpoints_; }
  // host:port of the started intake's HTTP/JSON port ("" for given services).
  const std::string& intake_http() const { return intake_http_; }
  const redis::Endpoint& redis_endpoint() const { return redis_endpoint_; }
  // The started services by name ("intake", ...); empty when they were given.
  const std::map<std::string, pid_t>& pids() const { return pids_; }
  bool private_redis() const { return redis_server_ != nullptr || redis_cluster_ != nullptr; }
  // A private working directory (service logs, baseline files), removed at the end.
  const std::string& dir() const { return dir_; }
  const std::string& redis_description() const { return redis_description_; }
  const std::string& services_description() const { return services_description_; }

 private:
  Services() = default;
  // Starts the three services on free ports against `redis_url` and waits until SERVING.
  absl::Status StartServices(const Config& cfg, const std::string& redis_url,
                             const std::atomic<bool>& interrupted);

  std::string dir_;
  std::unique_ptr<testing::RedisServer> redis_server_;
  std::unique_ptr<testing::RedisCluster> redis_cluster_;
  std::vector<std::unique_ptr<testing::Process>> procs_;
  std::map<std::string, pid_t> pids_;
  redis::Endpoint redis_endpoint_;
  sim::Endpoints endpoints_;
  std::string intake_http_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;  // from --tls-ca ... (null = plain)
  std::string redis_description_, services_description_;
};

}  // namespace omniroute::bench
