#pragma once

#include <google/protobuf/descriptor.h>

#include <map>
#include <string>

#include "services/common/openapi/json_value.h"

namespace omniroute::openapi {

std::string JoinComments(const std::string& leading, const std::string& trailing);

// The .proto comments of a descriptor (leading, then trailing), one line per comment line, the
// "// " stripped; "" when the pool has no source info for it.
template <typename Descriptor>
std::string Comments(const Descriptor* d) {
  google::protobuf::SourceLocation loc;
  if (!d->GetSourceLocation(&loc)) return "";
  return JoinComments(loc.leading_comments, loc.trailing_comments);
}

// "#/components/schemas/<name>".
std::string SchemaRef(const std::string& name);

// OpenAPI 3.0 schemas of protobuf messages and enums under the proto3 JSON mapping, as
// protobuf's JSON printer writes them: properties under their json_name (lowerCamelCase),
// 64-bit integers as strings, enums as their value names, maps as objects, well-known types in
// their special JSON forms. Each message and enum becomes one component named by its full name;
// the set collects every type the ones asked for reach.
class SchemaSet {
 public:
  // A reference to `message`'s schema ({"$ref": ...}, or the well-known type's inline schema),
  // adding it and everything it reaches to the set.
  JsonValue RefTo(const google::protobuf::Descriptor* message);
  // The schema of one field of a message (array for repeated, object for map), with its comment.
  JsonValue FieldSchema(const google::protobuf::FieldDescriptor* field);
  // The schema of a single value of `field` (the element of a repeated field), no comment.
  JsonValue ValueSchema(const google::protobuf::FieldDescriptor* field);

  // Adds a schema not built from a descriptor (e.g. the error body).
  void Add(const std::string& name, JsonValue schema);
  // Every schema collected, ordered by name.
  JsonValue Components() const;

 private:
  JsonValue EnumRef(const google::protobuf::EnumDescriptor* e);
  JsonValue MessageSchema(const google::protobuf::Descriptor* message);

  std::map<std::string, JsonValue> schemas_;
};

}  // namespace omniroute::openapi
