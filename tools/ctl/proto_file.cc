#include "tools/ctl/proto_file.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/grpc/published.h"
#include "tools/ctl/yaml_proto.h"

namespace omniroute::ctl {
namespace {

namespace pb = google::protobuf;

// The file's text, or why it cannot be read.
absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read the file"));
  text << in.rdbuf();
  return text.str();
}

// The type as the .proto files publish it (free-text fields are `string` there).
const pb::Descriptor* Published(const pb::Message& m) {
  return published::Message(m.GetDescriptor()->full_name());
}

// Parses `text` with yaml-cpp and checks it against the message type. yaml-cpp reads JSON too,
// so JSON errors get a line number as well.
absl::Status FromYaml(const std::string& text, bool json, pb::Message* out) {
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", e.mark.line + 1, ": invalid ", json ? "JSON" : "YAML", ": ", e.msg));
  }
  pb::Value value;
  if (auto s = YamlToValue(node, Published(*out), !json, &value); !s.ok()) return s;
  std::string as_json;
  if (auto s = pb::util::MessageToJsonString(value, &as_json); !s.ok()) {
    return absl::InvalidArgumentError(s.message().as_string());
  }
  return published::FromJson(as_json, out);
}

}  // namespace

absl::Status ReadMessageFile(const std::string& path, pb::Message* out) {
  auto text = ReadText(path);
  if (!text.ok()) return text.status();
  bool json = absl::EndsWith(path, ".json") ||
              (!absl::EndsWith(path, ".yaml") && !absl::EndsWith(path, ".yml") &&
               absl::StartsWith(absl::StripLeadingAsciiWhitespace(*text), "{"));
  absl::Status st;
  if (json) {
    // protobuf's own parser decides; on failure the YAML walk finds the line it failed on.
    auto parsed = published::FromJson(*text, out);
    if (parsed.ok()) return parsed;
    st = FromYaml(*text, /*json=*/true, out);
    if (st.ok()) st = parsed;
  } else {
    st = FromYaml(*text, /*json=*/false, out);
  }
  if (st.ok()) return st;
  return absl::Status(st.code(), absl::StrCat(path == "-" ? "stdin" : path, ": ", st.message()));
}

std::string MessageText(const pb::Message& message, Format format, bool one_line) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = format == Format::kJson && !one_line;
  std::string json = published::ToJson(message, options).value_or("{}");
  if (format == Format::kJson) return absl::EndsWith(json, "\n") ? json : json + "\n";
  pb::Value value;
  (void)pb::util::JsonStringToMessage(json, &value);
  return ValueToYaml(value, Published(message));
}

int PrintResult(const std::string& what, const grpc::Status& status, const pb::Message& message,
                Format format) {
  if (!status.ok()) return Fail(what, status);
  std::fputs(MessageText(message, format).c_str(), stdout);
  return kExitOk;
}

}  // namespace omniroute::ctl
