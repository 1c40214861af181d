// YAML for protobuf messages: the proto3 JSON mapping written as YAML (field names as in the
// .proto or in lowerCamelCase, enums by name or number, 64-bit integers as numbers or strings),
// going through protobuf's JSON value tree (google.protobuf.Value) so that protobuf's own JSON
// parser and printer do the mapping. The one difference: `bytes` fields (e.g. rule keywords)
// are plain UTF-8 text in YAML, base64 in JSON.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "absl/status/status.h"

namespace omniroute::ctl {

// Converts a YAML (or JSON) document holding a message of type `type` into its JSON value tree,
// checking every field name, type and enum value on the way. Errors are INVALID_ARGUMENT
// "line N: <field path>: <what is wrong>". With `bytes_as_text` (YAML) bytes fields are text,
// otherwise base64 (JSON).
absl::Status YamlToValue(const YAML::Node& node, const google::protobuf::Descriptor* type,
                         bool bytes_as_text, google::protobuf::Value* out);

// The JSON value tree of a message of type `type` (proto field names) as a block-style YAML
// document, fields in .proto order, bytes fields as text.
std::string ValueToYaml(const google::protobuf::Value& value,
                        const google::protobuf::Descriptor* type);

}  // namespace omniroute::ctl
