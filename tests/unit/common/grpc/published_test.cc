// The published descriptors (what clients, JSON and reflection see) against the C++ messages the
// servers are built from: the same messages and fields, with only the free-text fields of
// proto/server_text_fields.txt `bytes` on the server side; JSON through them is plain text.
#include "services/common/grpc/published.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "grpc/health/v1/health.pb.h"
#include "grpc/reflection/v1/reflection.pb.h"
#include "grpc/reflection/v1alpha/reflection.pb.h"
#include "omniroute/v1/admin.pb.h"
#include "omniroute/v1/classification.pb.h"
#include "omniroute/v1/intake.pb.h"
#include "omniroute/v1/routing.pb.h"

namespace omniroute {
namespace {

namespace pb = google::protobuf;
namespace v1 = omniroute::v1;

std::set<std::string> ServerTextFields() {
  std::ifstream in(OMNIROUTE_SOURCE_DIR "/proto/server_text_fields.txt");  // tests/unit/CMakeLists
  std::set<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') names.insert(line);
  }
  return names;
}

void CompareMessage(const pb::Descriptor* pub, const std::set<std::string>& text_fields,
                    std::set<std::string>* seen) {
  const pb::Descriptor* server =
      pb::DescriptorPool::generated_pool()->FindMessageTypeByName(pub->full_name());
  ASSERT_NE(server, nullptr) << pub->full_name();
  ASSERT_EQ(server->field_count(), pub->field_count()) << pub->full_name();
  for (int i = 0; i < pub->field_count(); ++i) {
    const pb::FieldDescriptor* p = pub->field(i);
    const pb::FieldDescriptor* s = server->FindFieldByNumber(p->number());
    ASSERT_NE(s, nullptr) << p->full_name();
    EXPECT_EQ(s->name(), p->name());
    EXPECT_EQ(s->json_name(), p->json_name());
    EXPECT_EQ(s->label(), p->label()) << p->full_name();
    const pb::FieldDescriptor* pv = p->is_map() ? p->message_type()->map_value() : p;
    const pb::FieldDescriptor* sv = p->is_map() ? s->message_type()->map_value() : s;
    if (text_fields.count(p->full_name()) > 0) {
      seen->insert(p->full_name());
      EXPECT_EQ(pv->type(), pb::FieldDescriptor::TYPE_STRING) << p->full_name();
      EXPECT_EQ(sv->type(), pb::FieldDescriptor::TYPE_BYTES) << p->full_name();
    } else if (!p->is_map()) {
      EXPECT_EQ(s->type(), p->type()) << p->full_name();
    }
    // No `bytes` is left in the published API.
    EXPECT_NE(pv->type(), pb::FieldDescriptor::TYPE_BYTES) << p->full_name();
  }
  for (int i = 0; i < pub->nested_type_count(); ++i) {
    if (!pub->nested_type(i)->options().map_entry()) {
      CompareMessage(pub->nested_type(i), text_fields, seen);
    }
  }
}

TEST(PublishedTest, ServerMessagesDifferOnlyInTheListedTextFields) {
  const std::set<std::string> text_fields = ServerTextFields();
  ASSERT_GE(text_fields.size(), 10u);
  std::set<std::string> seen;
  int files = 0;
  for (const auto& f : published::Files().file()) {
    if (f.package() != "omniroute.v1") continue;
    ++files;
    const pb::FileDescriptor* file = published::Pool().FindFileByName(f.name());
    ASSERT_NE(file, nullptr);
    for (int i = 0; i < file->message_type_count(); ++i) {
      CompareMessage(file->message_type(i), text_fields, &seen);
    }
  }
  EXPECT_EQ(files, 5);
  EXPECT_EQ(seen, text_fields);  // every listed field exists and was checked
}

TEST(PublishedTest, JsonCarriesTextFieldsAsTextBothWays) {
  v1::SubmitInteractionRequest req;
  ASSERT_TRUE(published::FromJson(
                  R"({"channel": "CHANNEL_EMAIL", "subject": "Où est ma carte ?",
                      "attributes": {"lang": "fr"}, "idempotencyKey": "msg-1"})",
                  &req)
                  .ok());
  EXPECT_EQ(req.subject(), "Où est ma carte ?");
  EXPECT_EQ(req.attributes().at("lang"), "fr");
  EXPECT_EQ(req.idempotency_key(), "msg-1");
  auto json = published::ToJson(req);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find(R"("subject":"Où est ma carte ?")"), std::string::npos) << *json;

  // What the generated descriptors would have done: base64 (the reason published.h exists).
  std::string generated;
  ASSERT_TRUE(pb::util::MessageToJsonString(req, &generated).ok());
  EXPECT_EQ(generated.find("Où est"), std::string::npos) << generated;
}

TEST(PublishedTest, JsonErrorsNameWhatIsWrong) {
  v1::SubmitInteractionRequest req;
  auto st = published::FromJson(R"({"subject": 5})", &req);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("subject"), std::string::npos) << st.message();
  st = published::FromJson(R"({"channel": "CHANNEL_PIGEON"})", &req);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("CHANNEL_PIGEON"), std::string::npos) << st.message();
  st = published::FromJson(R"({"subjet": "typo"})", &req);
  EXPECT_NE(st.message().find("subjet"), std::string::npos) << st.message();
  EXPECT_TRUE(published::FromJson(R"({"subjet": "typo"})", &req, true).ok());
  EXPECT_EQ(published::FromJson("{", &req).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PublishedTest, EveryServiceAndItsMethodsArePublished) {
  // Links the generated files in, so generated_pool() knows their services.
  for (const pb::Descriptor* d :
       {v1::ClassifyRequest::descriptor(), v1::SubmitInteractionRequest::descriptor(),
        v1::AcceptOfferRequest::descriptor(), v1::PutQueueRequest::descriptor(),
        grpc::health::v1::HealthCheckRequest::descriptor(),
        grpc::reflection::v1::ServerReflectionRequest::descriptor(),
        grpc::reflection::v1alpha::ServerReflectionRequest::descriptor()}) {
    ASSERT_NE(d, nullptr);
  }
  for (const char* name :
       {"omniroute.v1.Intake", "omniroute.v1.Routing", "omniroute.v1.Admin",
        "omniroute.v1.Classifier", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection"}) {
    const pb::ServiceDescriptor* s = published::Service(name);
    ASSERT_NE(s, nullptr) << name;
    const pb::ServiceDescriptor* g = pb::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(g, nullptr) << name;
    EXPECT_EQ(s->method_count(), g->method_count()) << name;
  }
}

}  // namespace
}  // namespace omniroute
