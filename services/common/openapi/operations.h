#pragma once

#include <google/protobuf/descriptor.h>

#include "services/common/openapi/json_value.h"
#include "services/common/openapi/schemas.h"

namespace omniroute::openapi {

// The name of the schema of an error body, {"code": ..., "message": ...}.
inline constexpr char kErrorSchema[] = "Error";

// The operation object of a unary RPC: POST, its request as the JSON body, its response as the
// 200 body, the error responses. Adds the messages it names to `schemas`.
JsonValue UnaryOperation(const google::protobuf::MethodDescriptor* method, SchemaSet* schemas);
// The operation object of a server-streaming RPC: GET with the request's scalar fields as query
// parameters, answered with Server-Sent Events carrying the response messages.
JsonValue StreamOperation(const google::protobuf::MethodDescriptor* method, SchemaSet* schemas);

// components.responses: one shared response per HTTP status an error can have.
JsonValue ErrorResponses();
// The schema of the error body (Connect's error JSON).
JsonValue ErrorSchema();

}  // namespace omniroute::openapi
