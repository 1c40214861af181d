#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/http/http_types.h"

namespace omniroute::http {

// The HTTP status Google's API design guide gives a gRPC code, and the code's lower_snake name
// (Connect's error JSON).
int HttpStatusFor(grpc::StatusCode code);
std::string CodeName(grpc::StatusCode code);
// The key (`Authorization: Bearer`, or for streams also `access_token`), the request id and,
// for unary calls, the deadline (`Connect-Timeout-Ms`, 30 s by default) of an HTTP request on
// its gRPC call.
void Prepare(grpc::ClientContext* ctx, const Request& req, bool stream);
// The response field whose value is an event's id, and the request field that resumes after it
// (Offer.offer_id / WatchOffersRequest.after_offer_id); nullptrs when the method has none.
std::pair<const google::protobuf::FieldDescriptor*, const google::protobuf::FieldDescriptor*>
ResumeFields(const google::protobuf::MethodDescriptor* m);
// The bytes of a gRPC message buffer.
std::string Flatten(const grpc::ByteBuffer& buffer);
// `{"code": "<name>", "message": "..."}` with the given HTTP status.
Response ErrorResponse(grpc::StatusCode code, const std::string& message);

// An RPC of this server, reached over HTTP: the request is converted from JSON (or query
// parameters) with the published descriptors, sent as the wire format through `channel` (the
// server's in-process channel, so auth, roles, validation and metrics are those of gRPC calls),
// and the answer converted back to JSON. Methods come from the published descriptors of
// `services`, so a new RPC is reachable over HTTP with nothing written for it.
class GrpcBridge {
 public:
  // `stopping` becomes true when the process drains: open event streams end.
  GrpcBridge(std::shared_ptr<grpc::Channel> channel, const std::vector<std::string>& services,
             const std::atomic<bool>* stopping);

  // The method at `path` ("/omniroute.v1.Intake/SubmitInteraction"), or nullptr.
  const google::protobuf::MethodDescriptor* Find(const std::string& path) const;

  // POST with a JSON body; answers 200 with the response's JSON or the mapped error.
  Response Unary(const google::protobuf::MethodDescriptor* method, const Request& req);

  // A server-streaming method as Server-Sent Events (GET; request fields as query parameters,
  // or the whole request as JSON in `message=`; Last-Event-ID resumes). `respond` sends a whole
  // response (stream = false: an error before the stream began) or the head of the event stream
  // (stream = true), whose body `write` then sends chunk by chunk; write returns false once the
  // client is gone. Returns when the call ended, the client went away or the process drains.
  using RespondFn = std::function<void(const Response& response, bool stream)>;
  using WriteFn = std::function<bool(const std::string& chunk)>;
  void Stream(const google::protobuf::MethodDescriptor* method, const Request& req,
              const RespondFn& respond, const WriteFn& write);

  // The request of a streaming method from the query string (exposed for tests).
  absl::StatusOr<std::string> RequestFromQuery(const google::protobuf::MethodDescriptor* method,
                                               const Request& req) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  const std::atomic<bool>* stopping_;
  std::map<std::string, const google::protobuf::MethodDescriptor*> methods_;
  mutable google::protobuf::DynamicMessageFactory factory_;
};

// The API key of an HTTP request: `Authorization: Bearer <key>`, or for event streams (a
// browser's EventSource cannot set headers) the `access_token` query parameter.
std::string BearerKey(const Request& req, bool allow_query);
// The decoded value of query parameter `name`, or "" when absent.
std::string QueryParam(const std::string& query, const std::string& name);
// Every query parameter, decoded, in order.
std::vector<std::pair<std::string, std::string>> QueryParams(const std::string& query);

}  // namespace omniroute::http
