#include "tools/sim/api_client.h"

namespace omniroute::sim {

ApiClient::ApiClient(const Endpoints& e) {
  auto creds = e.credentials ? e.credentials : grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  if (!e.tls_server_name.empty()) args.SetSslTargetNameOverride(e.tls_server_name);
  auto intake = grpc::CreateCustomChannel(e.intake, creds, args);
  auto classification = grpc::CreateCustomChannel(e.classification, creds, args);
  auto routing = grpc::CreateCustomChannel(e.routing, creds, args);
  intake_ = v1::Intake::NewStub(intake);
  routing_ = v1::Routing::NewStub(routing);
  admin_ = v1::Admin::NewStub(routing);
  classifier_ = v1::Classifier::NewStub(classification);
  health_intake_ = grpc::health::v1::Health::NewStub(intake);
  health_classification_ = grpc::health::v1::Health::NewStub(classification);
  health_routing_ = grpc::health::v1::Health::NewStub(routing);
}

std::unique_ptr<grpc::ClientContext> ApiClient::Context(const std::string& api_key,
                                                        std::chrono::milliseconds timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!api_key.empty()) ctx->AddMetadata("authorization", "Bearer " + api_key);
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

bool ApiClient::Serving(const std::string& service) {
  grpc::health::v1::Health::Stub* stub = service == "intake" ? health_intake_.get()
                                         : service == "classification"
                                             ? health_classification_.get()
                                             : health_routing_.get();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  auto st = stub->Check(&ctx, req, &resp);
  return st.ok() && resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

}  // namespace omniroute::sim
