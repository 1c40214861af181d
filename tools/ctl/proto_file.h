// Messages (a Queue, a TenantConfig) in files and on stdout, as JSON or YAML.
#pragma once

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/status.h"
#include "tools/ctl/ctl.h"

namespace omniroute::ctl {

// Reads a message from `path` ("-" = stdin): JSON when the name ends in .json, YAML when in
// .yaml or .yml, else JSON when the text starts with '{' and YAML otherwise. Both in the proto3
// JSON mapping (see yaml_proto.h for YAML's one difference). Errors are INVALID_ARGUMENT
// "<path>: line N: <field>: <what is wrong>" (or "<path>: cannot read the file").
absl::Status ReadMessageFile(const std::string& path, google::protobuf::Message* out);

// The message as JSON (indented, or on one line with `one_line`; .proto field names) or YAML,
// ending in a newline.
std::string MessageText(const google::protobuf::Message& message, Format format,
                        bool one_line = false);

// Prints `message` in `format` (JSON or YAML) when `status` is OK, else fails with it (as
// Fail); returns the exit code.
int PrintResult(const std::string& what, const grpc::Status& status,
                const google::protobuf::Message& message, Format format);

}  // namespace omniroute::ctl
