// The schemas of the OpenAPI document follow the proto3 JSON mapping as protobuf's JSON printer
// writes it: every field of every message the API reaches under its json_name, 64-bit integers
// as strings, enums as their value names, maps as objects; well-known types in their JSON forms.
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "services/common/grpc/published.h"
#include "services/common/openapi/openapi.h"
#include "tests/unit/common/openapi/openapi_doc.h"

namespace omniroute::openapi {
namespace {

namespace pb = google::protobuf;

using testing::At;
using testing::ParseDocument;
using testing::RefOf;
using testing::Resolve;
using testing::Str;
using FD = pb::FieldDescriptor;

std::string Ref(const std::string& full_name) { return "#/components/schemas/" + full_name; }

bool IsWellKnown(const pb::Descriptor* message) {
  return message->file()->package() == "google.protobuf";
}

// {type, format} of a scalar under the proto3 JSON mapping; format "" when there is none.
std::pair<std::string, std::string> Expected(FD::Type type) {
  switch (type) {
    case FD::TYPE_INT64:
    case FD::TYPE_SINT64:
    case FD::TYPE_SFIXED64:
      return {"string", "int64"};
    case FD::TYPE_UINT64:
    case FD::TYPE_FIXED64:
      return {"string", "uint64"};
    case FD::TYPE_INT32:
    case FD::TYPE_SINT32:
    case FD::TYPE_SFIXED32:
      return {"integer", "int32"};
    case FD::TYPE_UINT32:
    case FD::TYPE_FIXED32:
      return {"integer", "int64"};
    case FD::TYPE_DOUBLE:
      return {"number", "double"};
    case FD::TYPE_FLOAT:
      return {"number", "float"};
    case FD::TYPE_BOOL:
      return {"boolean", ""};
    case FD::TYPE_STRING:
      return {"string", ""};
    case FD::TYPE_BYTES:
      return {"string", "byte"};
    default:
      return {"", ""};
  }
}

// One value of `field` (an element when repeated, the value when a map entry's field).
void ExpectValue(const pb::Value& doc, const pb::Value& schema, const FD* field) {
  SCOPED_TRACE(field->full_name());
  if (field->cpp_type() == FD::CPPTYPE_ENUM) {
    const pb::EnumDescriptor* e = field->enum_type();
    ASSERT_EQ(RefOf(schema), Ref(e->full_name()));
    const pb::Value* target = Resolve(doc, RefOf(schema));
    ASSERT_NE(target, nullptr);
    EXPECT_EQ(Str(At(*target, {"type"})), "string");
    std::vector<std::string> names;
    for (const pb::Value& v : At(*target, {"enum"})->list_value().values()) {
      names.push_back(v.string_value());
    }
    ASSERT_EQ(static_cast<int>(names.size()), e->value_count());
    for (int i = 0; i < e->value_count(); ++i) EXPECT_EQ(names[i], e->value(i)->name());
  } else if (field->cpp_type() == FD::CPPTYPE_MESSAGE) {
    // Well-known types have their own JSON forms, written inline.
    EXPECT_EQ(RefOf(schema),
              IsWellKnown(field->message_type()) ? "" : Ref(field->message_type()->full_name()));
  } else {
    auto [type, format] = Expected(field->type());
    EXPECT_EQ(Str(At(schema, {"type"})), type);
    if (format.empty()) {
      EXPECT_EQ(At(schema, {"format"}), nullptr);
    } else {
      EXPECT_EQ(Str(At(schema, {"format"})), format);
    }
  }
}

TEST(OpenApiSchemaTest, EveryMessageReachedFollowsTheProto3JsonMapping) {
  auto json = OpenApiJson(ApiServices(), "omniroute");
  ASSERT_TRUE(json.ok()) << json.status();
  const pb::Value doc = ParseDocument(*json);

  // The messages the routes reach: bodies, answers and every message type of their fields.
  std::vector<const pb::Descriptor*> todo;
  for (const std::string& name : ApiServices()) {
    const pb::ServiceDescriptor* service = published::Service(name);
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* method = service->method(i);
      // A stream's request is its query parameters, not a body.
      if (!method->server_streaming()) todo.push_back(method->input_type());
      todo.push_back(method->output_type());
    }
  }
  std::set<std::string> reached = {"Error"};
  int int64_fields = 0;
  while (!todo.empty()) {
    const pb::Descriptor* message = todo.back();
    todo.pop_back();
    if (IsWellKnown(message)) continue;
    if (!reached.insert(message->full_name()).second) continue;
    SCOPED_TRACE(message->full_name());
    const pb::Value* schema = At(doc, {"components", "schemas", message->full_name()});
    ASSERT_NE(schema, nullptr);
    EXPECT_EQ(Str(At(*schema, {"type"})), "object");
    const pb::Value* properties = At(*schema, {"properties"});
    EXPECT_EQ(properties == nullptr ? 0 : properties->struct_value().fields_size(),
              message->field_count());
    for (int i = 0; i < message->field_count(); ++i) {
      const FD* field = message->field(i);
      const pb::Value* prop = At(*schema, {"properties", field->json_name()});
      ASSERT_NE(prop, nullptr) << field->full_name() << " as " << field->json_name();
      if (field->cpp_type() == FD::CPPTYPE_INT64 || field->cpp_type() == FD::CPPTYPE_UINT64) {
        ++int64_fields;
      }
      if (field->cpp_type() == FD::CPPTYPE_ENUM) reached.insert(field->enum_type()->full_name());
      if (field->is_map()) {
        const FD* value = field->message_type()->map_value();
        EXPECT_EQ(Str(At(*prop, {"type"})), "object") << field->full_name();
        ASSERT_NE(At(*prop, {"additionalProperties"}), nullptr) << field->full_name();
        ExpectValue(doc, *At(*prop, {"additionalProperties"}), value);
        if (value->cpp_type() == FD::CPPTYPE_ENUM) reached.insert(value->enum_type()->full_name());
        if (value->message_type() != nullptr) todo.push_back(value->message_type());
        continue;
      }
      if (field->is_repeated()) {
        EXPECT_EQ(Str(At(*prop, {"type"})), "array") << field->full_name();
        ASSERT_NE(At(*prop, {"items"}), nullptr) << field->full_name();
        ExpectValue(doc, *At(*prop, {"items"}), field);
      } else {
        ExpectValue(doc, *prop, field);
      }
      if (field->message_type() != nullptr) todo.push_back(field->message_type());
    }
  }
  EXPECT_GT(int64_fields, 10);
  // Nothing else: no schema the routes do not reach.
  std::set<std::string> components;
  for (const auto& [name, schema] : At(doc, {"components", "schemas"})->struct_value().fields()) {
    components.insert(name);
  }
  EXPECT_EQ(components, reached);
}

// A file of its own pool, using what omniroute.v1 does not (yet): well-known types, a oneof, a
// uint64, bytes, a map of messages that reaches its own message, a client-streaming RPC.
constexpr char kProbeFile[] = R"pb(
  name: "probe.proto"
  package: "probe.v1"
  syntax: "proto3"
  dependency: "google/protobuf/timestamp.proto"
  dependency: "google/protobuf/wrappers.proto"
  message_type {
    name: "Probe"
    field {
      name: "seen_at"
      number: 1
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
    }
    field {
      name: "count"
      number: 2
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Int64Value"
    }
    field { name: "queue" number: 3 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
    field { name: "agent_id" number: 4 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
    field { name: "big" number: 5 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field { name: "blob" number: 6 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field {
      name: "children"
      number: 7
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".probe.v1.Probe.ChildrenEntry"
    }
    nested_type {
      name: "ChildrenEntry"
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 }
      field {
        name: "value"
        number: 2
        label: LABEL_OPTIONAL
        type: TYPE_MESSAGE
        type_name: ".probe.v1.Probe"
      }
      options { map_entry: true }
    }
    oneof_decl { name: "target" }
  }
  service {
    name: "Prober"
    method { name: "Get" input_type: ".probe.v1.Probe" output_type: ".probe.v1.Probe" }
    method {
      name: "Upload"
      input_type: ".probe.v1.Probe"
      output_type: ".probe.v1.Probe"
      client_streaming: true
    }
  }
)pb";

TEST(OpenApiSchemaTest, WellKnownTypesOneofsAndMapsOfAnyPool) {
  // The underlay supplies the well-known types' files (linked in through the two headers).
  ASSERT_NE(pb::Timestamp::descriptor(), nullptr);
  ASSERT_NE(pb::Int64Value::descriptor(), nullptr);
  pb::DescriptorPool pool(pb::DescriptorPool::generated_pool());
  pb::FileDescriptorProto file;
  ASSERT_TRUE(pb::TextFormat::ParseFromString(kProbeFile, &file));
  ASSERT_NE(pool.BuildFile(file), nullptr);
  const pb::Value doc =
      ParseDocument(OpenApiDocument({pool.FindServiceByName("probe.v1.Prober")}, "probe"));

  const pb::Value* probe = At(doc, {"components", "schemas", "probe.v1.Probe"});
  ASSERT_NE(probe, nullptr);
  const pb::Value& props = *At(*probe, {"properties"});
  EXPECT_EQ(Str(At(props, {"seenAt", "type"})), "string");
  EXPECT_EQ(Str(At(props, {"seenAt", "format"})), "date-time");
  EXPECT_EQ(Str(At(props, {"count", "type"})), "string");
  EXPECT_EQ(Str(At(props, {"count", "format"})), "int64");
  EXPECT_TRUE(At(props, {"count", "nullable"})->bool_value());
  EXPECT_EQ(Str(At(props, {"big", "format"})), "uint64");
  EXPECT_EQ(Str(At(props, {"blob", "format"})), "byte");
  EXPECT_EQ(Str(At(props, {"children", "type"})), "object");
  EXPECT_EQ(RefOf(*At(props, {"children", "additionalProperties"})), Ref("probe.v1.Probe"));
  EXPECT_NE(Str(At(props, {"children", "description"})).find("int32"), std::string::npos);
  const std::string description = Str(At(*probe, {"description"}));
  EXPECT_NE(description.find("`target`"), std::string::npos) << description;
  EXPECT_NE(description.find("`queue`, `agentId`"), std::string::npos) << description;
  // Well-known types are inline, not components; the client-streaming RPC has no route.
  EXPECT_EQ(At(doc, {"components", "schemas", "google.protobuf.Timestamp"}), nullptr);
  EXPECT_NE(At(doc, {"paths", "/probe.v1.Prober/Get", "post"}), nullptr);
  EXPECT_EQ(At(doc, {"paths", "/probe.v1.Prober/Upload"}), nullptr);
}

}  // namespace
}  // namespace omniroute::openapi
