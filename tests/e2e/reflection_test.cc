// Server reflection as tools use it: grpc.reflection.v1 and the older v1alpha, both served by
// omniroute from the published descriptors (text fields `string`, comments kept), both able to
// describe grpc.health.v1.Health, on every service.
#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

namespace refl = grpc::reflection::v1;

// One request on a reflection stream at `path` (v1 and v1alpha share the wire format).
refl::ServerReflectionResponse Ask(const std::string& address, const std::string& path,
                                   const refl::ServerReflectionRequest& req) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, path, &cq);
  void* tag;
  bool ok = false;
  std::string bytes = req.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer in(&slice, 1), out;
  grpc::Status status;
  call->StartCall(nullptr);
  cq.Next(&tag, &ok);
  call->WriteLast(in, grpc::WriteOptions(), nullptr);
  cq.Next(&tag, &ok);
  call->Read(&out, nullptr);
  cq.Next(&tag, &ok);
  bool read = ok;
  call->Finish(&status, nullptr);
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  EXPECT_TRUE(status.ok()) << path << ": " << status.error_message();
  refl::ServerReflectionResponse resp;
  std::vector<grpc::Slice> slices;
  if (read && out.Dump(&slices).ok()) {
    std::string data;
    for (const auto& s : slices) data.append(reinterpret_cast<const char*>(s.begin()), s.size());
    EXPECT_TRUE(resp.ParseFromString(data));
  } else {
    ADD_FAILURE() << path << ": no answer";
  }
  return resp;
}

std::set<std::string> Services(const std::string& address, const std::string& path) {
  refl::ServerReflectionRequest req;
  req.set_list_services("*");
  std::set<std::string> names;
  auto resp = Ask(address, path, req);  // kept: the loop reads into it
  for (const auto& s : resp.list_services_response().service()) {
    names.insert(s.name());
  }
  return names;
}

// The files of a file_containing_symbol answer, by name.
std::map<std::string, google::protobuf::FileDescriptorProto> FilesOf(const std::string& address,
                                                                     const std::string& path,
                                                                     const std::string& symbol) {
  refl::ServerReflectionRequest req;
  req.set_file_containing_symbol(symbol);
  auto resp = Ask(address, path, req);
  EXPECT_FALSE(resp.has_error_response())
      << path << " " << symbol << ": " << resp.error_response().error_message();
  std::map<std::string, google::protobuf::FileDescriptorProto> files;
  for (const auto& bytes : resp.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto f;
    EXPECT_TRUE(f.ParseFromString(bytes));
    files[f.name()] = f;
  }
  return files;
}

TEST(ReflectionE2E, V1AndV1alphaDescribeTheApiAndHealthOnEveryService) {
  testing::Cluster cluster;
  auto ep = cluster.endpoints();
  const std::string v1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
  const std::string v1alpha = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  struct Case {
    std::string address;
    std::vector<std::string> api;
  };
  for (const Case& c : {Case{ep.intake, {"omniroute.v1.Intake"}},
                        Case{ep.classification, {"omniroute.v1.Classifier"}},
                        Case{ep.routing, {"omniroute.v1.Routing", "omniroute.v1.Admin"}}}) {
    for (const std::string& path : {v1, v1alpha}) {
      SCOPED_TRACE(c.address + " " + path);
      auto names = Services(c.address, path);
      for (const auto& s : c.api) EXPECT_TRUE(names.count(s)) << s;
      EXPECT_TRUE(names.count("grpc.health.v1.Health"));
      EXPECT_TRUE(names.count("grpc.reflection.v1.ServerReflection"));
      auto health = FilesOf(c.address, path, "grpc.health.v1.Health");
      ASSERT_TRUE(health.count("grpc/health/v1/health.proto"));
      const auto& hf = health["grpc/health/v1/health.proto"];
      ASSERT_EQ(hf.service_size(), 1);
      EXPECT_EQ(hf.service(0).name(), "Health");
      ASSERT_GE(hf.service(0).method_size(), 1);
      EXPECT_EQ(hf.service(0).method(0).name(), "Check");
      // An API service comes with the files it imports, so a client can build every message.
      auto api = FilesOf(c.address, path, c.api[0]);
      EXPECT_TRUE(api.count("omniroute/v1/common.proto"));
      // The published declarations: free text is `string` (the servers' own copy has `bytes`),
      // and the .proto comments come along for `grpcurl describe`.
      auto intake = FilesOf(c.address, path, "omniroute.v1.SubmitInteractionRequest");
      ASSERT_TRUE(intake.count("omniroute/v1/intake.proto"));
      const auto& file = intake["omniroute/v1/intake.proto"];
      bool found = false;
      for (const auto& m : file.message_type()) {
        if (m.name() != "SubmitInteractionRequest") continue;
        for (const auto& f : m.field()) {
          if (f.name() != "subject") continue;
          found = true;
          EXPECT_EQ(f.type(), google::protobuf::FieldDescriptorProto::TYPE_STRING);
        }
      }
      EXPECT_TRUE(found);
      EXPECT_GT(file.source_code_info().location_size(), 0);
    }
    refl::ServerReflectionRequest bad;
    bad.set_file_containing_symbol("omniroute.v1.NoSuchThing");
    auto resp = Ask(c.address, v1, bad);
    EXPECT_EQ(resp.error_response().error_code(), 5) << resp.DebugString();
  }
}

}  // namespace
}  // namespace omniroute
