#include "services/common/openapi/operations.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "services/common/grpc/auth.h"
#include "services/common/grpc/rpc_roles.h"
#include "services/common/http/grpc_bridge.h"

namespace omniroute::openapi {
namespace {

namespace pb = google::protobuf;

// An HTTP status an error can have and the gRPC codes the HTTP front maps to it (Google's API
// design guide mapping).
struct ErrorStatus {
  const char* http;
  const char* name;
  std::vector<absl::StatusCode> codes;
  const char* meaning;
};

const std::vector<ErrorStatus>& ErrorStatuses() {
  using C = absl::StatusCode;
  static const auto* statuses = new std::vector<ErrorStatus>{
      {"400",
       "BadRequest",
       {C::kInvalidArgument, C::kFailedPrecondition, C::kOutOfRange},
       "The request is not valid, or not valid in the current state; the message names the "
       "field. Bad JSON is invalid_argument."},
      {"401", "Unauthenticated", {C::kUnauthenticated}, "No API key, or a key that is not known."},
      {"403",
       "PermissionDenied",
       {C::kPermissionDenied},
       "The API key lacks the role the call needs, or may not act for this tenant or agent."},
      {"404", "NotFound", {C::kNotFound}, "What the request names does not exist."},
      {"409",
       "Conflict",
       {C::kAlreadyExists, C::kAborted},
       "The request conflicts with the current state."},
      {"429", "ResourceExhausted", {C::kResourceExhausted}, "A limit was reached."},
      {"500", "Internal", {C::kInternal, C::kUnknown, C::kDataLoss}, "A server error."},
      {"503",
       "Unavailable",
       {C::kUnavailable},
       "The service cannot serve the call now; retry with backoff."},
      {"504", "DeadlineExceeded", {C::kDeadlineExceeded}, "The call did not finish in time."},
  };
  return *statuses;
}

// "invalid_argument": how the error body names a code (the HTTP front's own names).
std::string CodeName(absl::StatusCode code) {
  return http::CodeName(static_cast<grpc::StatusCode>(code));
}

// The HTTP status of a row. It must be the one the HTTP front maps each of its codes to
// (http::HttpStatusFor): a table that drifted from the front stops every document (and so
// every test that builds one) instead of documenting statuses the front does not send.
std::string HttpOf(const ErrorStatus& s) {
  for (absl::StatusCode c : s.codes) {
    if (std::to_string(http::HttpStatusFor(static_cast<grpc::StatusCode>(c))) != s.http) {
      std::abort();
    }
  }
  return s.http;
}

// The first sentence of a comment, for an operation's summary; the method name without one.
std::string Summary(const std::string& comment, const std::string& fallback) {
  std::string text = absl::StrReplaceAll(comment, {{"\n", " "}});
  for (size_t end = text.find(". "); end != std::string::npos; end = text.find(". ", end + 1)) {
    absl::string_view before = absl::string_view(text).substr(0, end);
    if (!absl::EndsWith(before, "e.g") && !absl::EndsWith(before, "i.e"))
      return text.substr(0, end);
  }
  if (absl::EndsWith(text, ".")) text.pop_back();
  return text.empty() ? fallback : text;
}

std::string OperationId(const pb::MethodDescriptor* method) {
  return absl::StrCat(method->service()->name(), "_", method->name());
}

JsonValue Ref(const std::string& to) { return JsonValue::Object().Set("$ref", to); }

JsonValue JsonContent(JsonValue schema) {
  return JsonValue::Object().Set("application/json",
                                 JsonValue::Object().Set("schema", std::move(schema)));
}

// The fields of an operation every method has: tags, summary, description, operationId and
// the roles that may call it (from the roles table, when the method is in it).
JsonValue BaseOperation(const pb::MethodDescriptor* method, const std::string& more) {
  const std::string comment = Comments(method);
  std::vector<std::string> parts = {comment};
  JsonValue roles = JsonValue::Array();
  if (const RpcRoles* row =
          FindRpcRoles(absl::StrCat("/", method->service()->full_name(), "/", method->name()))) {
    std::vector<std::string> names;
    for (Role r : row->roles.roles()) names.emplace_back(RoleName(r));
    parts.push_back(absl::StrCat("Roles: ", absl::StrJoin(names, ", "), "."));
    roles = JsonValue::Strings(names);
  }
  parts.push_back(more);
  std::vector<std::string> present;
  for (const std::string& p : parts) {
    if (!p.empty()) present.push_back(p);
  }
  JsonValue op = JsonValue::Object()
                     .Set("tags", JsonValue::Strings({method->service()->name()}))
                     .Set("summary", Summary(comment, method->name()));
  if (!present.empty()) op.Set("description", absl::StrJoin(present, "\n\n"));
  op.Set("operationId", OperationId(method));
  if (!roles.empty()) op.Set("x-omniroute-roles", std::move(roles));
  return op;
}

JsonValue WithErrors(JsonValue responses) {
  for (const ErrorStatus& s : ErrorStatuses()) {
    responses.Set(HttpOf(s), Ref(absl::StrCat("#/components/responses/", s.name)));
  }
  return responses;
}

// The request field a stream resumes after (`after_<x>_id`), nullptr when there is none.
const pb::FieldDescriptor* ResumeField(const pb::Descriptor* request) {
  for (int i = 0; i < request->field_count(); ++i) {
    const pb::FieldDescriptor* f = request->field(i);
    if (absl::StartsWith(f->name(), "after_") && absl::EndsWith(f->name(), "_id") &&
        f->type() == pb::FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
      return f;
    }
  }
  return nullptr;
}

JsonValue QueryParameter(const pb::FieldDescriptor* field, SchemaSet* schemas) {
  JsonValue p = JsonValue::Object().Set("name", field->json_name()).Set("in", "query");
  std::string comment = Comments(field);
  if (field->json_name() != field->name()) {
    comment = absl::StrCat(comment, comment.empty() ? "" : "\n\n", "Also accepted as `",
                           field->name(), "`.");
  }
  if (!comment.empty()) p.Set("description", comment);
  JsonValue schema = schemas->ValueSchema(field);
  if (field->is_repeated()) schema = JsonValue::Object().Set("type", "array").Set("items", schema);
  return p.Set("schema", std::move(schema));
}

}  // namespace

JsonValue UnaryOperation(const pb::MethodDescriptor* method, SchemaSet* schemas) {
  JsonValue op = BaseOperation(method, "");
  op.Set("requestBody", JsonValue::Object()
                            .Set("required", true)
                            .Set("content", JsonContent(schemas->RefTo(method->input_type()))));
  JsonValue ok = JsonValue::Object()
                     .Set("description", absl::StrCat("The ", method->output_type()->name(),
                                                      " message as proto3 JSON."))
                     .Set("content", JsonContent(schemas->RefTo(method->output_type())));
  return op.Set("responses", WithErrors(JsonValue::Object().Set("200", std::move(ok))));
}

JsonValue StreamOperation(const pb::MethodDescriptor* method, SchemaSet* schemas) {
  const pb::Descriptor* request = method->input_type();
  const pb::Descriptor* event = method->output_type();
  const pb::FieldDescriptor* resume = ResumeField(request);
  // The event's id is the field the resume field names (after_offer_id -> offer_id).
  const pb::FieldDescriptor* id_field =
      resume == nullptr ? nullptr : event->FindFieldByName(resume->name().substr(6));
  const std::string id =
      id_field == nullptr ? "<position>" : absl::StrCat("<", id_field->json_name(), ">");
  const std::string format = absl::StrCat(
      "Server-Sent Events (`Accept: text/event-stream`), one per ", event->name(),
      " message:\n\n```\nid: ", id, "\nevent: ", event->name(),
      "\ndata: <the message as proto3 JSON, one line>\n\n```\n\nThe request's fields are query "
      "parameters. The API key comes as `Authorization: Bearer <key>` or, for clients that "
      "cannot set headers (a browser's EventSource), as the `access_token` query parameter. A "
      "call refused before the stream starts gets the status and error body of a unary call.");
  JsonValue op = BaseOperation(method, format);

  JsonValue parameters = JsonValue::Array();
  for (int i = 0; i < request->field_count(); ++i) {
    const pb::FieldDescriptor* f = request->field(i);
    if (f->is_map() || f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    parameters.Push(QueryParameter(f, schemas));
  }
  std::string last_event =
      "Resumes the stream after the event with this id (the `id:` of the "
      "last event received; EventSource sends it when it reconnects)";
  if (resume != nullptr) absl::StrAppend(&last_event, "; sets `", resume->json_name(), "`");
  parameters.Push(JsonValue::Object()
                      .Set("name", "Last-Event-ID")
                      .Set("in", "header")
                      .Set("description", absl::StrCat(last_event, "."))
                      .Set("schema", JsonValue::Object().Set("type", "string")));
  op.Set("parameters", std::move(parameters));
  op.Set("security", JsonValue::Array()
                         .Push(JsonValue::Object().Set("bearerAuth", JsonValue::Array()))
                         .Push(JsonValue::Object().Set("accessToken", JsonValue::Array())));

  JsonValue stream = JsonValue::Object()
                         .Set("schema", JsonValue::Object().Set("type", "string"))
                         .Set("x-omniroute-event-data", schemas->RefTo(event));
  JsonValue ok = JsonValue::Object()
                     .Set("description", absl::StrCat("A stream of ", event->name(), " events."))
                     .Set("content", JsonValue::Object().Set("text/event-stream", stream));
  return op.Set("responses", WithErrors(JsonValue::Object().Set("200", std::move(ok))));
}

JsonValue ErrorResponses() {
  JsonValue out = JsonValue::Object();
  for (const ErrorStatus& s : ErrorStatuses()) {
    std::vector<std::string> codes;
    for (absl::StatusCode c : s.codes) codes.push_back(absl::StrCat("`", CodeName(c), "`"));
    out.Set(s.name,
            JsonValue::Object()
                .Set("description", absl::StrCat(absl::StrJoin(codes, ", "), ": ", s.meaning))
                .Set("content", JsonContent(Ref(SchemaRef(kErrorSchema)))));
  }
  return out;
}

JsonValue ErrorSchema() {
  std::vector<std::string> codes;
  for (int c = 1; c <= 16; ++c) codes.push_back(CodeName(static_cast<absl::StatusCode>(c)));
  return JsonValue::Object()
      .Set("type", "object")
      .Set("description",
           "The body of every error (Connect's error JSON): the gRPC status code in "
           "lower_snake_case and a message saying what is wrong.")
      .Set("required", JsonValue::Strings({"code", "message"}))
      .Set(
          "properties",
          JsonValue::Object()
              .Set("code",
                   JsonValue::Object().Set("type", "string").Set("enum", JsonValue::Strings(codes)))
              .Set("message", JsonValue::Object().Set("type", "string")));
}

}  // namespace omniroute::openapi
