#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/redis_cluster.h"
#include "tests/support/redis_server.h"
#include "tools/sim/api_client.h"

namespace omniroute::testing {

// One replica of a service run as a real process.
struct Replica {
  std::string service;  // intake | classification | routing | webhooks
  int grpc_port = 0;
  int metrics_port = 0;
  int http_port = 0;  // the HTTP/JSON front
  std::unique_ptr<Process> process;
  std::string address() const { return "127.0.0.1:" + std::to_string(grpc_port); }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(http_port); }
};

struct ClusterOptions {
  int replicas = 1;  // of each service, unless set per service below
  // Replicas of one service; 0 = `replicas`.
  int intake_replicas = 0;
  int classification_replicas = 0;
  int routing_replicas = 0;
  // Webhook workers (omniroute-webhooks); none unless asked for.
  int webhooks_replicas = 0;
  bool redis_aof = false;
  // > 0: the services run on a Redis Cluster of this many masters (each with
  // `redis_cluster_replicas` replicas) instead of one redis-server.
  int redis_cluster_masters = 0;
  int redis_cluster_replicas = 0;
  std::vector<std::string> extra_routing_flags;  // e.g. {"--skip-ms=2000"}
  std::vector<std::string> extra_intake_flags;
  std::vector<std::string> extra_classification_flags;
  std::vector<std::string> extra_webhooks_flags;  // e.g. {"--allow-loopback"}
  std::vector<std::string> extra_flags;           // passed to every service
};

// redis-server (or a Redis Cluster) plus the three service executables (and webhook workers
// when asked for) as processes on free loopback ports, and API keys for one tenant. Waits until
// every replica reports SERVING.
class Cluster {
 public:
  explicit Cluster(ClusterOptions options = {});
  ~Cluster();

  RedisServer& redis() { return *redis_; }  // the one redis-server (not on a cluster)
  RedisCluster& redis_cluster() { return *redis_cluster_; }
  // The URL the services are given (redis:// or redis+cluster://).
  std::string redis_url() const;
  // A connection to the Redis the services use (a cluster connection on a cluster).
  std::unique_ptr<redis::Connection> ConnectRedis() const;
  std::vector<Replica>& replicas() { return replicas_; }
  std::vector<Replica*> Replicas(const std::string& service);
  // Endpoints of the first replica of each service (or replica `index`).
  sim::Endpoints endpoints(int index = 0);

  // Creates API keys for `tenant` with each role; keys()["admin"] ...
  std::map<std::string, std::string> CreateTenant(const std::string& tenant);

  // Starts a replacement replica of `service` (e.g. after a kill).
  Replica& StartReplica(const std::string& service);
  // Starts a replica that has exited (killed or drained) again on its own ports, as a
  // supervisor restarting a crashed process would, so clients find it at the same address.
  void Relaunch(Replica& r);
  bool WaitServing(Replica& r, int timeout_ms);
  const std::string& dir() const { return dir_; }
  // How many replicas of `service` the options ask for.
  int ReplicaCount(const std::string& service) const;

 private:
  std::vector<std::string> Args(const Replica& r) const;
  // Starts a replica that exited before serving again, on new ports.
  void Restart(Replica& r);

  ClusterOptions options_;
  std::string dir_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<RedisCluster> redis_cluster_;
  std::vector<Replica> replicas_;
  int started_ = 0;
};

}  // namespace omniroute::testing
