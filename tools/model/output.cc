// Error reporting and CSV output shared by the omniroute-model subcommands.
#include <cstdio>
#include <string>

#include "tools/model/commands.h"

namespace omniroute::model_cli {

int UsageError(const char* command, const absl::Status& status, const char* usage) {
  std::fprintf(stderr, "omniroute-model %s: %s\n%s", command, std::string(status.message()).c_str(),
               usage);
  return kExitUsage;
}

int FileError(const char* command, const absl::Status& status) {
  std::fprintf(stderr, "omniroute-model %s: %s\n", command, std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kNotFound ||
                 status.code() == absl::StatusCode::kPermissionDenied
             ? kExitUsage
             : kExitFailure;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace omniroute::model_cli
