#include "tests/support/cluster.h"

#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "services/common/grpc/auth.h"
#include "tests/support/free_port.h"

namespace omniroute::testing {

Cluster::Cluster(ClusterOptions options)
    : options_(std::move(options)), dir_(MakeTempDir("omniroute-cluster")) {
  if (options_.redis_cluster_masters > 0) {
    redis_cluster_ = std::make_unique<RedisCluster>(options_.redis_cluster_masters,
                                                    options_.redis_cluster_replicas);
  } else {
    redis_ = std::make_unique<RedisServer>(options_.redis_aof);
  }
  for (const char* service : {"intake", "classification", "routing", "webhooks"}) {
    for (int i = 0; i < ReplicaCount(service); ++i) StartReplica(service);
  }
  for (auto& r : replicas_) {
    // A replica that exits at once most likely lost its port to another test between
    // FreePort and its bind: start it again on new ports (bounded).
    for (int attempt = 1; !WaitServing(r, 20000); ++attempt) {
      if (r.process->Running() || attempt == 3) {
        throw std::runtime_error(r.service + " did not become SERVING; log:\n" +
                                 r.process->ReadLog());
      }
      Restart(r);
    }
  }
}

void Cluster::Restart(Replica& r) {
  r.process->Wait(1000);
  r.grpc_port = FreePort();
  r.metrics_port = FreePort();
  r.http_port = FreePort();
  std::string log = dir_ + "/" + r.service + "-" + std::to_string(started_++) + ".log";
  r.process = std::make_unique<Process>(BinDir() + "/omniroute-" + r.service, Args(r), log);
}

void Cluster::Relaunch(Replica& r) {
  r.process->Wait(5000);
  std::string log = dir_ + "/" + r.service + "-" + std::to_string(started_++) + ".log";
  r.process = std::make_unique<Process>(BinDir() + "/omniroute-" + r.service, Args(r), log);
}

std::vector<std::string> Cluster::Args(const Replica& r) const {
  std::vector<std::string> args = {"--redis-url=" + redis_url(), "--bind=127.0.0.1",
                                   "--grpc-port=" + std::to_string(r.grpc_port),
                                   "--metrics-port=" + std::to_string(r.metrics_port)};
  // The webhook workers serve no API: no HTTP front.
  if (r.service != "webhooks") args.push_back("--http-port=" + std::to_string(r.http_port));
  if (r.service == "routing") {
    args.insert(args.end(), options_.extra_routing_flags.begin(),
                options_.extra_routing_flags.end());
  }
  if (r.service == "intake") {
    args.insert(args.end(), options_.extra_intake_flags.begin(), options_.extra_intake_flags.end());
  }
  if (r.service == "classification") {
    args.insert(args.end(), options_.extra_classification_flags.begin(),
                options_.extra_classification_flags.end());
  }
  if (r.service == "webhooks") {
    args.insert(args.end(), options_.extra_webhooks_flags.begin(),
                options_.extra_webhooks_flags.end());
  }
  args.insert(args.end(), options_.extra_flags.begin(), options_.extra_flags.end());
  return args;
}

Cluster::~Cluster() {
  for (auto& r : replicas_) {
    if (r.process) r.process->Signal(SIGKILL);
  }
  for (auto& r : replicas_) {
    if (r.process) r.process->Wait(5000);
  }
  replicas_.clear();
  redis_.reset();
  redis_cluster_.reset();
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

int Cluster::ReplicaCount(const std::string& service) const {
  if (service == "webhooks") return options_.webhooks_replicas;
  int n = service == "intake"           ? options_.intake_replicas
          : service == "classification" ? options_.classification_replicas
          : service == "routing"        ? options_.routing_replicas
                                        : 0;
  return n > 0 ? n : options_.replicas;
}

Replica& Cluster::StartReplica(const std::string& service) {
  Replica r;
  r.service = service;
  r.grpc_port = FreePort();
  r.metrics_port = FreePort();
  r.http_port = FreePort();
  std::string log = dir_ + "/" + service + "-" + std::to_string(started_++) + ".log";
  r.process = std::make_unique<Process>(BinDir() + "/omniroute-" + service, Args(r), log);
  replicas_.push_back(std::move(r));
  return replicas_.back();
}

bool Cluster::WaitServing(Replica& r, int timeout_ms) {
  sim::Endpoints e{r.address(), r.address(), r.address()};
  sim::ApiClient api(e);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!r.process->Running()) return false;
    if (api.Serving(r.service)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<Replica*> Cluster::Replicas(const std::string& service) {
  std::vector<Replica*> out;
  for (auto& r : replicas_) {
    if (r.service == service && r.process && r.process->Running()) out.push_back(&r);
  }
  return out;
}

sim::Endpoints Cluster::endpoints(int index) {
  auto pick = [&](const std::string& s) {
    auto rs = Replicas(s);
    if (rs.empty()) throw std::runtime_error("no running replica of " + s);
    return rs[index % rs.size()]->address();
  };
  return {pick("intake"), pick("classification"), pick("routing")};
}

std::string Cluster::redis_url() const {
  if (redis_cluster_ != nullptr) return "redis+cluster://" + redis_cluster_->Seeds();
  return redis_->url();
}

std::unique_ptr<redis::Connection> Cluster::ConnectRedis() const {
  if (redis_ != nullptr) return redis_->Connect();
  auto endpoint = redis::ParseUrl(redis_url());
  if (!endpoint.ok()) throw std::runtime_error(std::string(endpoint.status().message()));
  auto conn = redis::Connection::Open(*endpoint, std::chrono::milliseconds(5000));
  if (!conn.ok()) throw std::runtime_error(std::string(conn.status().message()));
  return std::move(*conn);
}

std::map<std::string, std::string> Cluster::CreateTenant(const std::string& tenant) {
  auto conn = ConnectRedis();
  std::map<std::string, std::string> keys;
  for (Role role : {Role::kIntegrator, Role::kAgent, Role::kSupervisor, Role::kAdmin}) {
    auto key = CreateApiKey(*conn, tenant, {role}, "test");
    if (!key.ok()) throw std::runtime_error(std::string(key.status().message()));
    keys[std::string(RoleName(role))] = *key;
  }
  return keys;
}

}  // namespace omniroute::testing
