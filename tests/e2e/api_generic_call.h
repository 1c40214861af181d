// Any RPC of omniroute.v1 called generically (from its descriptor, with a request built by
// reflection), for the API e2e tests that go over every method: ApiRolesE2E, AgentKeysE2E.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tools/sim/api_client.h"

namespace omniroute::api_test {

namespace pb = google::protobuf;

// Every method of the omniroute.v1 services, as "Service.Method".
inline std::vector<const pb::MethodDescriptor*> ApiMethods() {
  std::vector<const pb::MethodDescriptor*> out;
  for (const char* file : {"omniroute/v1/intake.proto", "omniroute/v1/classification.proto",
                           "omniroute/v1/routing.proto", "omniroute/v1/admin.proto"}) {
    const pb::FileDescriptor* fd = pb::DescriptorPool::generated_pool()->FindFileByName(file);
    if (fd == nullptr) {
      ADD_FAILURE() << "no descriptor for " << file;
      continue;
    }
    for (int s = 0; s < fd->service_count(); ++s) {
      for (int m = 0; m < fd->service(s)->method_count(); ++m) {
        out.push_back(fd->service(s)->method(m));
      }
    }
  }
  return out;
}

// Calls `method` with an empty request of the tenant (and the string `fields` given, where the
// request has them); a stream is read for up to 1 s.
inline grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel,
                         const pb::MethodDescriptor* m, const std::string& key,
                         const std::string& tenant,
                         const std::map<std::string, std::string>& fields = {}) {
  const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(m->input_type());
  std::unique_ptr<pb::Message> req(proto->New());
  if (const pb::FieldDescriptor* f = m->input_type()->FindFieldByName("tenant_id")) {
    req->GetReflection()->SetString(req.get(), f, tenant);
  }
  for (const auto& [name, value] : fields) {
    if (const pb::FieldDescriptor* f = m->input_type()->FindFieldByName(name)) {
      req->GetReflection()->SetString(req.get(), f, value);
    }
  }
  std::string bytes = req->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer in(&slice, 1), out;
  auto ctx =
      sim::ApiClient::Context(key, std::chrono::milliseconds(m->server_streaming() ? 1000 : 5000));
  std::string path = "/" + m->service()->full_name() + "/" + m->name();
  grpc::GenericStub stub(channel);
  if (!m->server_streaming()) {
    std::promise<grpc::Status> done;
    stub.UnaryCall(ctx.get(), path, grpc::StubOptions(), &in, &out,
                   [&done](grpc::Status st) { done.set_value(std::move(st)); });
    return done.get_future().get();
  }
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(ctx.get(), path, &cq);
  void* tag;
  bool ok;
  grpc::Status status;
  // One operation at a time: start, the request (and half-close), then the status. The
  // stream's deadline ends an allowed watch; a refused one ends at once.
  auto wait = [&cq, &tag, &ok] { return cq.Next(&tag, &ok); };
  call->StartCall(nullptr);
  wait();
  call->WriteLast(in, grpc::WriteOptions(), nullptr);
  wait();
  call->Finish(&status, nullptr);
  wait();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

// A channel per service name ("Intake", "Classifier", "Routing", "Admin") to the endpoints.
inline std::map<std::string, std::shared_ptr<grpc::Channel>> ServiceChannels(
    const sim::Endpoints& ep) {
  auto channel = [](const std::string& addr) {
    return grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  };
  return {{"Intake", channel(ep.intake)},
          {"Classifier", channel(ep.classification)},
          {"Routing", channel(ep.routing)},
          {"Admin", channel(ep.routing)}};
}

}  // namespace omniroute::api_test
