#include "services/common/http/grpc_bridge.h"

#include <civetweb.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/grpc/published.h"
#include "services/common/log/log.h"

namespace omniroute::http {
namespace {

namespace pb = google::protobuf;

constexpr auto kDefaultTimeout = std::chrono::seconds(30);
constexpr auto kMaxTimeout = std::chrono::minutes(5);

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string JsonString(const std::string& s) {
  return absl::StrCat("\"", log::JsonEscape(s), "\"");
}

// Sets `field` of `m` from query text; the error names the parameter.
absl::Status SetField(pb::Message* m, const pb::FieldDescriptor* f, const std::string& name,
                      const std::string& text) {
  const pb::Reflection* r = m->GetReflection();
  auto bad = [&](const char* what) {
    return absl::InvalidArgumentError(
        absl::StrCat("query parameter '", name, "': '", text, "' is not ", what));
  };
  bool repeated = f->is_repeated();
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      repeated ? r->AddString(m, f, text) : r->SetString(m, f, text);
      return absl::OkStatus();
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumValueDescriptor* v = f->enum_type()->FindValueByName(text);
      int n = 0;
      if (v == nullptr && absl::SimpleAtoi(text, &n)) v = f->enum_type()->FindValueByNumber(n);
      if (v == nullptr)
        return bad(absl::StrCat("a value of ", f->enum_type()->full_name()).c_str());
      repeated ? r->AddEnum(m, f, v) : r->SetEnum(m, f, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      if (text != "true" && text != "false") return bad("true or false");
      repeated ? r->AddBool(m, f, text == "true") : r->SetBool(m, f, text == "true");
      return absl::OkStatus();
    case pb::FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = 0;
      if (!absl::SimpleAtoi(text, &v)) return bad("a 32-bit integer");
      repeated ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (!absl::SimpleAtoi(text, &v)) return bad("a 64-bit integer");
      repeated ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = 0;
      if (!absl::SimpleAtoi(text, &v)) return bad("an unsigned 32-bit integer");
      repeated ? r->AddUInt32(m, f, v) : r->SetUInt32(m, f, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = 0;
      if (!absl::SimpleAtoi(text, &v)) return bad("an unsigned 64-bit integer");
      repeated ? r->AddUInt64(m, f, v) : r->SetUInt64(m, f, v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
    case pb::FieldDescriptor::CPPTYPE_FLOAT: {
      double v = 0;
      if (!absl::SimpleAtod(text, &v)) return bad("a number");
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_FLOAT) {
        repeated ? r->AddFloat(m, f, static_cast<float>(v))
                 : r->SetFloat(m, f, static_cast<float>(v));
      } else {
        repeated ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
      }
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "query parameter '", name, "': a message field; send the whole request as JSON in message="));
}

}  // namespace

void Prepare(grpc::ClientContext* ctx, const Request& req, bool stream) {
  std::string key = BearerKey(req, stream);
  if (!key.empty()) ctx->AddMetadata("authorization", "Bearer " + key);
  if (!req.Header("x-request-id").empty())
    ctx->AddMetadata("x-request-id", req.Header("x-request-id"));
  if (stream) return;
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kDefaultTimeout);
  int64_t ms = 0;
  if (absl::SimpleAtoi(req.Header("connect-timeout-ms"), &ms) && ms > 0) {
    timeout = std::min(std::chrono::milliseconds(ms),
                       std::chrono::duration_cast<std::chrono::milliseconds>(kMaxTimeout));
  }
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
}

std::pair<const pb::FieldDescriptor*, const pb::FieldDescriptor*> ResumeFields(
    const pb::MethodDescriptor* m) {
  const pb::Descriptor* out = m->output_type();
  for (int i = 0; i < out->field_count(); ++i) {
    const pb::FieldDescriptor* id = out->field(i);
    const pb::FieldDescriptor* after = m->input_type()->FindFieldByName("after_" + id->name());
    if (id->type() == pb::FieldDescriptor::TYPE_STRING && after != nullptr &&
        after->type() == pb::FieldDescriptor::TYPE_STRING && !id->is_repeated()) {
      return {id, after};
    }
  }
  return {nullptr, nullptr};
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:
      return 500;  // UNKNOWN, INTERNAL, DATA_LOSS
  }
}

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"ok",
                                       "canceled",
                                       "unknown",
                                       "invalid_argument",
                                       "deadline_exceeded",
                                       "not_found",
                                       "already_exists",
                                       "permission_denied",
                                       "resource_exhausted",
                                       "failed_precondition",
                                       "aborted",
                                       "out_of_range",
                                       "unimplemented",
                                       "internal",
                                       "unavailable",
                                       "data_loss",
                                       "unauthenticated"};
  int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "unknown";
}

Response ErrorResponse(grpc::StatusCode code, const std::string& message) {
  Response r;
  r.status = HttpStatusFor(code);
  r.body = absl::StrCat("{\"code\":", JsonString(CodeName(code)),
                        ",\"message\":", JsonString(message), "}");
  return r;
}

GrpcBridge::GrpcBridge(std::shared_ptr<grpc::Channel> channel,
                       const std::vector<std::string>& services, const std::atomic<bool>* stopping)
    : channel_(std::move(channel)),
      stub_(channel_),
      stopping_(stopping),
      factory_(&published::Pool()) {
  for (const auto& name : services) {
    const pb::ServiceDescriptor* s = published::Service(name);
    if (s == nullptr) continue;
    for (int i = 0; i < s->method_count(); ++i) {
      const pb::MethodDescriptor* m = s->method(i);
      if (m->client_streaming()) continue;  // none in omniroute.v1; not over HTTP/1.1
      methods_[absl::StrCat("/", s->full_name(), "/", m->name())] = m;
    }
  }
}

const pb::MethodDescriptor* GrpcBridge::Find(const std::string& path) const {
  auto it = methods_.find(path);
  return it == methods_.end() ? nullptr : it->second;
}

Response GrpcBridge::Unary(const pb::MethodDescriptor* method, const Request& req) {
  const std::string& type = req.Header("content-type");
  if (!type.empty() && !absl::StartsWith(absl::AsciiStrToLower(type), "application/json")) {
    Response r = ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT,
                               absl::StrCat("Content-Type ", type, ": send application/json"));
    r.status = 415;
    return r;
  }
  auto binary = published::JsonToBinary(req.body.empty() ? "{}" : req.body,
                                        method->input_type()->full_name());
  if (!binary.ok()) {
    // protobuf's parser appends the text around the fault on lines of its own.
    std::string why(binary.status().message());
    why = std::string(absl::StripAsciiWhitespace(why.substr(0, why.find('\n'))));
    return ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat("request body: ", why));
  }
  grpc::ClientContext ctx;
  Prepare(&ctx, req, /*stream=*/false);
  grpc::ByteBuffer in = Buffer(*binary), out;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub_.UnaryCall(&ctx, absl::StrCat("/", method->service()->full_name(), "/", method->name()),
                  grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
                    std::lock_guard<std::mutex> lock(mu);
                    status = std::move(s);
                    done = true;
                    cv.notify_one();
                  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }
  if (!status.ok()) return ErrorResponse(status.error_code(), status.error_message());
  auto json = published::BinaryToJson(Flatten(out), method->output_type()->full_name(), {});
  if (!json.ok())
    return ErrorResponse(grpc::StatusCode::INTERNAL, std::string(json.status().message()));
  Response r;
  r.body = std::move(*json);
  return r;
}

absl::StatusOr<std::string> GrpcBridge::RequestFromQuery(const pb::MethodDescriptor* method,
                                                         const Request& req) const {
  const pb::Descriptor* type = method->input_type();
  std::unique_ptr<pb::Message> m(factory_.GetPrototype(type)->New());
  std::string whole = QueryParam(req.query, "message");
  if (!whole.empty()) {
    auto binary = published::JsonToBinary(whole, type->full_name());
    if (!binary.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter 'message': ", binary.status().message()));
    }
    m->ParseFromString(*binary);
  } else {
    for (const auto& [name, value] : QueryParams(req.query)) {
      if (name == "access_token") continue;
      const pb::FieldDescriptor* f = type->FindFieldByName(name);
      for (int i = 0; f == nullptr && i < type->field_count(); ++i) {
        if (type->field(i)->json_name() == name) f = type->field(i);
      }
      if (f == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("query parameter '", name, "' is not a field of ", type->full_name()));
      }
      if (auto st = SetField(m.get(), f, name, value); !st.ok()) return st;
    }
  }
  // EventSource sends the last id it saw when it reconnects: resume after it.
  auto [id_field, after_field] = ResumeFields(method);
  if (after_field != nullptr && !req.Header("last-event-id").empty()) {
    m->GetReflection()->SetString(m.get(), after_field, req.Header("last-event-id"));
  }
  return m->SerializeAsString();
}

}  // namespace omniroute::http
