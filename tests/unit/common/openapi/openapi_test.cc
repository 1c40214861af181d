// The OpenAPI document covers the API as the published descriptors declare it: every unary RPC
// a POST of its messages, every server-streaming RPC a GET of Server-Sent Events, every $ref
// resolving, each service's document only its own routes. The expectations are read from the
// descriptors, so RPCs added later are checked without touching this test.
#include "services/common/openapi/openapi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "services/common/grpc/published.h"
#include "tests/unit/common/openapi/openapi_doc.h"

namespace omniroute::openapi {
namespace {

namespace pb = google::protobuf;

using testing::At;
using testing::ParseDocument;
using testing::Resolve;
using testing::Str;

const std::vector<std::string> kServices = {"omniroute.v1.Intake", "omniroute.v1.Routing",
                                            "omniroute.v1.Admin", "omniroute.v1.Classifier"};
const std::vector<std::string> kErrorStatuses = {"400", "401", "403", "404", "409",
                                                 "429", "500", "503", "504"};

std::string Ref(const pb::Descriptor* message) {
  return "#/components/schemas/" + message->full_name();
}

std::string Path(const pb::MethodDescriptor* method) {
  return "/" + method->service()->full_name() + "/" + method->name();
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto json = OpenApiJson(ApiServices(), "omniroute");
    ASSERT_TRUE(json.ok()) << json.status();
    doc_ = ParseDocument(*json);
    for (const std::string& name : kServices) {
      const pb::ServiceDescriptor* service = published::Service(name);
      ASSERT_NE(service, nullptr) << name;
      for (int i = 0; i < service->method_count(); ++i) methods_.push_back(service->method(i));
    }
  }

  // The path's one operation, under `verb`, checked for its operationId and tag; nullptr (a
  // failure) when it is not there.
  const pb::Value* Operation(const pb::MethodDescriptor* method, const std::string& verb) {
    const pb::Value* item = At(doc_, {"paths", Path(method)});
    const pb::Value* op = item == nullptr ? nullptr : At(*item, {verb});
    if (op == nullptr || item->struct_value().fields_size() != 1) {
      ADD_FAILURE() << "no single " << verb << " operation";
      return nullptr;
    }
    EXPECT_EQ(Str(At(*op, {"operationId"})), method->service()->name() + "_" + method->name());
    const pb::Value* tags = At(*op, {"tags"});
    EXPECT_TRUE(tags != nullptr && tags->list_value().values_size() == 1 &&
                tags->list_value().values(0).string_value() == method->service()->name());
    return op;
  }

  // Every error status refers to a shared response whose body is the Error schema.
  void ExpectErrorResponses(const pb::Value& responses, const std::string& where) {
    for (const std::string& status : kErrorStatuses) {
      const pb::Value* ref = At(responses, {status, "$ref"});
      ASSERT_NE(ref, nullptr) << where << " " << status;
      const pb::Value* response = Resolve(doc_, ref->string_value());
      ASSERT_NE(response, nullptr) << where << " " << ref->string_value();
      EXPECT_EQ(Str(At(*response, {"content", "application/json", "schema", "$ref"})),
                "#/components/schemas/Error")
          << where << " " << status;
    }
  }

  pb::Value doc_;
  std::vector<const pb::MethodDescriptor*> methods_;
};

TEST_F(OpenApiTest, EveryUnaryRpcIsAPostOfItsMessages) {
  int unary = 0;
  for (const pb::MethodDescriptor* method : methods_) {
    if (method->server_streaming() || method->client_streaming()) continue;
    ++unary;
    const std::string path = Path(method);
    SCOPED_TRACE(path);
    const pb::Value* op = Operation(method, "post");
    if (op == nullptr) continue;
    EXPECT_EQ(Str(At(*op, {"requestBody", "content", "application/json", "schema", "$ref"})),
              Ref(method->input_type()));
    const pb::Value* required = At(*op, {"requestBody", "required"});
    EXPECT_TRUE(required != nullptr && required->bool_value());
    EXPECT_EQ(Str(At(*op, {"responses", "200", "content", "application/json", "schema", "$ref"})),
              Ref(method->output_type()));
    ASSERT_NE(At(*op, {"responses"}), nullptr);
    ExpectErrorResponses(*At(*op, {"responses"}), path);
  }
  EXPECT_GT(unary, 20);
}

TEST_F(OpenApiTest, EveryStreamingRpcIsAGetOfServerSentEvents) {
  int streaming = 0;
  for (const pb::MethodDescriptor* method : methods_) {
    if (!method->server_streaming()) continue;
    ++streaming;
    const std::string path = Path(method);
    SCOPED_TRACE(path);
    const pb::Value* op = Operation(method, "get");
    if (op == nullptr) continue;
    const pb::Value* media = At(*op, {"responses", "200", "content", "text/event-stream"});
    ASSERT_NE(media, nullptr);
    EXPECT_EQ(Str(At(*media, {"x-omniroute-event-data", "$ref"})), Ref(method->output_type()));
    ExpectErrorResponses(*At(*op, {"responses"}), path);

    // Each scalar field of the request is a query parameter; Last-Event-ID a header.
    std::set<std::string> query;
    std::set<std::string> headers;
    for (const pb::Value& p : At(*op, {"parameters"})->list_value().values()) {
      (Str(At(p, {"in"})) == "query" ? query : headers).insert(Str(At(p, {"name"})));
    }
    for (int i = 0; i < method->input_type()->field_count(); ++i) {
      const pb::FieldDescriptor* f = method->input_type()->field(i);
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
      EXPECT_EQ(query.count(f->json_name()), 1u) << f->full_name();
    }
    EXPECT_EQ(headers, std::set<std::string>{"Last-Event-ID"});
    std::set<std::string> schemes;
    for (const pb::Value& s : At(*op, {"security"})->list_value().values()) {
      for (const auto& [name, scopes] : s.struct_value().fields()) schemes.insert(name);
    }
    EXPECT_EQ(schemes, (std::set<std::string>{"bearerAuth", "accessToken"}));
  }
  EXPECT_EQ(streaming, 2);
}

TEST_F(OpenApiTest, EveryRefResolvesAndOperationIdsAreUnique) {
  int refs = 0;
  std::vector<const pb::Value*> todo = {&doc_};
  while (!todo.empty()) {
    const pb::Value* v = todo.back();
    todo.pop_back();
    for (const auto& [key, member] : v->struct_value().fields()) {
      if (key == "$ref") {
        ++refs;
        EXPECT_NE(Resolve(doc_, member.string_value()), nullptr) << member.string_value();
      }
      todo.push_back(&member);
    }
    for (const pb::Value& item : v->list_value().values()) todo.push_back(&item);
  }
  EXPECT_GT(refs, 100);

  std::set<std::string> ids;
  for (const auto& [path, item] : At(doc_, {"paths"})->struct_value().fields()) {
    for (const auto& [verb, op] : item.struct_value().fields()) {
      EXPECT_TRUE(ids.insert(Str(At(op, {"operationId"}))).second) << path;
    }
  }
}

TEST_F(OpenApiTest, CommentsBecomeDescriptions) {
  int described = 0;
  for (const pb::MethodDescriptor* method : methods_) {
    pb::SourceLocation loc;
    if (!method->GetSourceLocation(&loc) || loc.leading_comments.empty()) continue;
    ++described;
    const std::string verb = method->server_streaming() ? "get" : "post";
    // The comment's first line, without the space after "//".
    const std::string first = loc.leading_comments.substr(1, loc.leading_comments.find('\n') - 1);
    EXPECT_NE(Str(At(doc_, {"paths", Path(method), verb, "description"})).find(first),
              std::string::npos)
        << Path(method) << ": " << first;
  }
  EXPECT_GT(described, 20);
}

TEST(OpenApiServicesTest, AServiceDocumentHasOnlyItsOwnRoutes) {
  for (const std::string& name : kServices) {
    auto json = OpenApiJson({name}, name);
    ASSERT_TRUE(json.ok()) << json.status();
    pb::Value doc = ParseDocument(*json);
    const pb::ServiceDescriptor* service = published::Service(name);
    EXPECT_EQ(At(doc, {"paths"})->struct_value().fields_size(), service->method_count()) << name;
    for (const auto& [path, item] : At(doc, {"paths"})->struct_value().fields()) {
      EXPECT_EQ(path.rfind("/" + name + "/", 0), 0u) << path;
    }
    EXPECT_EQ(Str(At(doc, {"info", "title"})), name);
    EXPECT_EQ(Str(At(doc, {"openapi"})), "3.0.3");
  }
}

TEST(OpenApiServicesTest, TheWholeApiIsEveryOmnirouteService) {
  std::vector<std::string> all = ApiServices();
  for (const std::string& name : kServices) {
    EXPECT_EQ(std::count(all.begin(), all.end(), name), 1) << name;
  }
  for (const std::string& name : all) EXPECT_EQ(name.rfind("omniroute.", 0), 0u) << name;
}

TEST(OpenApiServicesTest, AnUnknownServiceIsAnErrorNamingIt) {
  auto json = OpenApiJson({"omniroute.v1.Intake", "omniroute.v1.Nope"}, "x");
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(json.status().message().find("omniroute.v1.Nope"), std::string::npos);
  EXPECT_FALSE(OpenApiJson({"grpc.health.v1.Nope"}, "x").ok());
}

TEST(OpenApiServicesTest, SameBytesEveryTime) {
  auto a = OpenApiJson(ApiServices(), "omniroute");
  auto b = OpenApiJson(ApiServices(), "omniroute");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->back(), '\n');
}

}  // namespace
}  // namespace omniroute::openapi
