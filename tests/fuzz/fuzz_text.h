// Shared by the config fuzz targets: a config file's text read the way omniroute-ctl reads it
// (tools/ctl/proto_file.cc): JSON through protobuf's parser, otherwise YAML (or JSON protobuf
// refused) through yaml-cpp and the ctl's YAML-to-proto walk.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/common/grpc/published.h"
#include "tools/ctl/yaml_proto.h"

namespace omniroute::fuzz {

// True when `text` parsed into `out` (which is then what the ctl would send).
inline bool ParseConfigText(const std::string& text, google::protobuf::Message* out) {
  namespace pb = google::protobuf;
  const bool json = absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "{");
  if (json && published::FromJson(text, out).ok()) return true;
  out->Clear();
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return false;
  }
  pb::Value value;
  if (!ctl::YamlToValue(node, published::Message(out->GetDescriptor()->full_name()), !json, &value)
           .ok())
    return false;
  std::string as_json;
  if (!pb::util::MessageToJsonString(value, &as_json).ok()) return false;
  return published::FromJson(as_json, out).ok();
}

}  // namespace omniroute::fuzz
