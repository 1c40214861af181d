#include "services/common/openapi/openapi.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/grpc/published.h"
#include "services/common/openapi/json_value.h"
#include "services/common/openapi/operations.h"
#include "services/common/openapi/schemas.h"

namespace omniroute::openapi {
namespace {

namespace pb = google::protobuf;

constexpr char kApiPackagePrefix[] = "omniroute.";

constexpr char kDescription[] =
    "The HTTP/JSON form of the omniroute gRPC API, generated from its .proto files. Each "
    "service answers on its own HTTP port.\n\n"
    "- A unary RPC is `POST /<package>.<Service>/<Method>` (its gRPC path) with "
    "`Content-Type: application/json`; the body is the request message in the proto3 JSON "
    "mapping and a 200 answer carries the response message the same way (the unary JSON form "
    "of the Connect protocol).\n"
    "- Fields are named in lowerCamelCase (the proto field names are accepted too); 64-bit "
    "integers are JSON strings; enums are their value names; a field at its default value "
    "(0, \"\", false, empty) may be left out.\n"
    "- A server-streaming RPC is a `GET` of Server-Sent Events, its request fields as query "
    "parameters.\n"
    "- Every call needs an API key: `Authorization: Bearer <key>`.\n"
    "- An error is an HTTP status with the body `{\"code\": \"<gRPC code in lower_snake_case>\", "
    "\"message\": \"...\"}`. A path the port does not serve is 404 `not_found`; another HTTP "
    "method than the route's is 405.";

JsonValue SecuritySchemes() {
  return JsonValue::Object()
      .Set("bearerAuth", JsonValue::Object()
                             .Set("type", "http")
                             .Set("scheme", "bearer")
                             .Set("description",
                                  "An omniroute API key: `Authorization: Bearer "
                                  "<key>`. Its roles decide which calls it may "
                                  "make."))
      .Set("accessToken", JsonValue::Object()
                              .Set("type", "apiKey")
                              .Set("in", "query")
                              .Set("name", "access_token")
                              .Set("description",
                                   "The API key as a query parameter, for Server-Sent Events "
                                   "clients that cannot set headers (streaming routes only)."));
}

}  // namespace

std::vector<std::string> ApiServices() {
  std::vector<std::string> names;
  const pb::DescriptorPool& pool = published::Pool();
  for (const pb::FileDescriptorProto& file : published::Files().file()) {
    if (!absl::StartsWith(file.package(), kApiPackagePrefix)) continue;
    for (const pb::ServiceDescriptorProto& service : file.service()) {
      const std::string name = absl::StrCat(file.package(), ".", service.name());
      if (pool.FindServiceByName(name) != nullptr) names.push_back(name);
    }
  }
  return names;
}

absl::StatusOr<std::string> OpenApiJson(const std::vector<std::string>& services,
                                        const std::string& title) {
  std::vector<const pb::ServiceDescriptor*> descriptors;
  for (const std::string& name : services) {
    const pb::ServiceDescriptor* service = published::Service(name);
    if (service == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("service '", name, "' is not in the published API"));
    }
    descriptors.push_back(service);
  }
  return OpenApiDocument(descriptors, title);
}

std::string OpenApiDocument(const std::vector<const pb::ServiceDescriptor*>& services,
                            const std::string& title) {
  SchemaSet schemas;
  JsonValue tags = JsonValue::Array();
  JsonValue paths = JsonValue::Object();
  for (const pb::ServiceDescriptor* service : services) {
    JsonValue tag = JsonValue::Object().Set("name", service->name());
    const std::string comment = Comments(service);
    if (!comment.empty()) tag.Set("description", comment);
    tags.Push(std::move(tag));
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* method = service->method(i);
      if (method->client_streaming()) continue;
      const std::string path = absl::StrCat("/", service->full_name(), "/", method->name());
      paths.Set(path, method->server_streaming()
                          ? JsonValue::Object().Set("get", StreamOperation(method, &schemas))
                          : JsonValue::Object().Set("post", UnaryOperation(method, &schemas)));
    }
  }
  schemas.Add(kErrorSchema, ErrorSchema());

  JsonValue info =
      JsonValue::Object()
          .Set("title", title)
          .Set("version", OMNIROUTE_VERSION)
          .Set("description", kDescription)
          .Set("license", JsonValue::Object()
                              .Set("name", "Apache-2.0")
                              .Set("url", "https://www.apache.org/licenses/LICENSE-2.0"));
  JsonValue server =
      JsonValue::Object()
          .Set("url", "/")
          .Set("description",
               "The HTTP port (--http-port) of the service that serves these routes.");
  JsonValue doc =
      JsonValue::Object()
          .Set("openapi", "3.0.3")
          .Set("info", std::move(info))
          .Set("servers", JsonValue::Array().Push(std::move(server)))
          .Set("security",
               JsonValue::Array().Push(JsonValue::Object().Set("bearerAuth", JsonValue::Array())))
          .Set("tags", std::move(tags))
          .Set("paths", std::move(paths))
          .Set("components", JsonValue::Object()
                                 .Set("schemas", schemas.Components())
                                 .Set("responses", ErrorResponses())
                                 .Set("securitySchemes", SecuritySchemes()));
  return doc.Dump();
}

http::Handler DocumentRoute(const std::vector<std::string>& services, const std::string& title) {
  auto doc = OpenApiJson(services, title);
  std::string body = doc.ok() ? *doc : std::string(doc.status().message());
  int status = doc.ok() ? 200 : 500;
  return [body, status](const http::Request& req) {
    http::Response r;
    if (req.method != "GET" || req.path != "/openapi.json") {
      r.status = req.path == "/openapi.json" ? 405 : 404;
      r.body = R"({"code":"not_found","message":"GET /openapi.json"})";
      return r;
    }
    r.status = status;
    r.body = body;
    return r;
  };
}

}  // namespace omniroute::openapi
