#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace omniroute {

// The FileDescriptorSet of the published .proto files (omniroute.v1 as written in proto/, with
// comments; grpc.health.v1; grpc.reflection v1 and v1alpha), compiled into omniroute_proto.
std::string_view PublishedDescriptorSet();

// The API as clients see it. The C++ messages are generated from a copy in which a few free-text
// fields are `bytes` (proto/server_text_fields.txt); the wire format is the same, but JSON is
// not (bytes are base64 in JSON). Everything that speaks JSON or describes the API goes through
// these descriptors instead of the generated ones.
namespace published {

const google::protobuf::FileDescriptorSet& Files();
const google::protobuf::DescriptorPool& Pool();
// The published descriptor of a message, service or method name; nullptr when there is none.
const google::protobuf::Descriptor* Message(std::string_view full_name);
const google::protobuf::ServiceDescriptor* Service(std::string_view full_name);

// Proto3 JSON of the published type of `out`'s message into `out` (a generated message).
// Errors are INVALID_ARGUMENT with protobuf's description of what is wrong.
absl::Status FromJson(std::string_view json, google::protobuf::Message* out,
                      bool ignore_unknown_fields = false);
// JSON → wire format of the published type `type_name`.
absl::StatusOr<std::string> JsonToBinary(std::string_view json, std::string_view type_name,
                                         bool ignore_unknown_fields = false);
// Wire format of the published type `type_name` → proto3 JSON.
absl::StatusOr<std::string> BinaryToJson(std::string_view binary, std::string_view type_name,
                                         const google::protobuf::util::JsonPrintOptions& options);
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message,
                                   const google::protobuf::util::JsonPrintOptions& options = {});

}  // namespace published
}  // namespace omniroute
