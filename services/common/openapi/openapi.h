#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/http/http_types.h"

namespace omniroute::openapi {

// Every service of the omniroute API in the published descriptors (not health or reflection),
// in the order the .proto files declare them: what a whole-API document describes.
std::vector<std::string> ApiServices();

// The OpenAPI 3.0.3 document, pretty-printed JSON, of the HTTP/JSON routes of `services` (full
// names, e.g. "omniroute.v1.Intake"), generated from the published descriptors so the .proto
// comments become descriptions: each unary RPC is `POST /<service>/<method>` taking and
// returning its messages in the proto3 JSON mapping, each server-streaming RPC a `GET` of
// Server-Sent Events. The same services and title always give the same bytes.
// INVALID_ARGUMENT naming the service when one is not in the published descriptors.
absl::StatusOr<std::string> OpenApiJson(const std::vector<std::string>& services,
                                        const std::string& title);

// The same document for services of any descriptor pool (their comments are descriptions when
// the pool was built with source info). Client- and bidi-streaming RPCs have no HTTP route and
// are left out.
std::string OpenApiDocument(const std::vector<const google::protobuf::ServiceDescriptor*>& services,
                            const std::string& title);

// The route of `GET /openapi.json` on a service's HTTP front: the document of `services`,
// generated once here.
http::Handler DocumentRoute(const std::vector<std::string>& services, const std::string& title);

}  // namespace omniroute::openapi
