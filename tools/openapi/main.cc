// omniroute-openapi: prints the OpenAPI 3.0.3 document of the HTTP/JSON API, generated from the
// published .proto descriptors compiled into the binary.
//   omniroute-openapi [--services omniroute.v1.Intake,omniroute.v1.Routing] [--output FILE]
//   omniroute-openapi --list-services
// Exit 0 with the document on stdout (or in FILE); 2 on bad flags, an unknown service or a file
// that cannot be written.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/config/flags.h"
#include "services/common/openapi/openapi.h"

int main(int argc, char** argv) {
  const std::vector<std::string> all = omniroute::openapi::ApiServices();
  std::string services;
  std::string output;
  std::string title = "omniroute HTTP/JSON API";
  bool list_services = false;
  omniroute::config::Flags flags("omniroute-openapi");
  flags.Add("services", &services,
            "comma-separated full service names to describe (empty = all: " +
                absl::StrJoin(all, ",") + ")");
  flags.Add("title", &title, "the document's info.title");
  flags.Add("output", &output, "file to write the document to (empty = stdout)");
  flags.Add("list-services", &list_services, "print the service names, one a line, and exit");
  flags.SetDescription(
      "Prints the OpenAPI 3.0.3 description of the HTTP/JSON routes (POST /<service>/<method> "
      "per unary RPC, GET Server-Sent Events per server-streaming RPC), generated from the .proto "
      "files.");
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  if (list_services) {
    for (const std::string& name : all) std::printf("%s\n", name.c_str());
    return 0;
  }
  std::vector<std::string> names = all;
  if (!services.empty()) names = absl::StrSplit(services, ',', absl::SkipWhitespace());
  auto doc = omniroute::openapi::OpenApiJson(names, title);
  if (!doc.ok()) {
    std::fprintf(stderr, "omniroute-openapi: --services: %s\n",
                 std::string(doc.status().message()).c_str());
    return 2;
  }
  if (output.empty()) {
    std::fwrite(doc->data(), 1, doc->size(), stdout);
    return 0;
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out << *doc;
  out.close();
  if (!out) {
    std::fprintf(stderr, "omniroute-openapi: cannot write %s\n", output.c_str());
    return 2;
  }
  return 0;
}
