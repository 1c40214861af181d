#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"
#include "omniroute/v1/admin.grpc.pb.h"
#include "omniroute/v1/classification.grpc.pb.h"
#include "omniroute/v1/intake.grpc.pb.h"
#include "omniroute/v1/routing.grpc.pb.h"

namespace omniroute::sim {

// Where the three services listen ("127.0.0.1:7101" ...) and how to reach them.
struct Endpoints {
  std::string intake;
  std::string classification;
  std::string routing;
  // TLS (and mTLS) credentials of every channel; null = plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // The name the servers' certificates carry when it is not the addresses' host; empty = none.
  std::string tls_server_name;
};

// Stubs for every omniroute API, used by the demo, the simulators, e2e tests and benchmarks.
class ApiClient {
 public:
  explicit ApiClient(const Endpoints& endpoints);

  // A client context carrying `authorization: Bearer <key>` and a deadline.
  static std::unique_ptr<grpc::ClientContext> Context(
      const std::string& api_key, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  v1::Intake::Stub& intake() { return *intake_; }
  v1::Routing::Stub& routing() { return *routing_; }
  v1::Admin::Stub& admin() { return *admin_; }
  v1::Classifier::Stub& classifier() { return *classifier_; }
  // Health of one service ("intake", "classification", "routing"); true when SERVING.
  bool Serving(const std::string& service);

 private:
  std::unique_ptr<v1::Intake::Stub> intake_;
  std::unique_ptr<v1::Routing::Stub> routing_;
  std::unique_ptr<v1::Admin::Stub> admin_;
  std::unique_ptr<v1::Classifier::Stub> classifier_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_intake_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_classification_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_routing_;
};

}  // namespace omniroute::sim
