// GrpcBridge::Stream: a server-streaming call as Server-Sent Events, and the query and key
// helpers of HTTP requests.
#include <civetweb.h>

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/grpc/published.h"
#include "services/common/http/grpc_bridge.h"

namespace omniroute::http {
namespace {

namespace pb = google::protobuf;
using Clock = std::chrono::steady_clock;

// An event stream sends its head once this passed without a message (errors come faster).
constexpr auto kHeadAfter = std::chrono::milliseconds(300);
// A comment line on a quiet stream: proxies keep it open and a gone client is noticed.
constexpr auto kKeepAlive = std::chrono::seconds(15);

Response StreamHead() {
  Response head;
  head.content_type = "text/event-stream";
  head.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  return head;
}

enum Tag : intptr_t { kStarted = 1, kWritten, kRead, kFinished };

}  // namespace

void GrpcBridge::Stream(const pb::MethodDescriptor* method, const Request& req,
                        const RespondFn& respond, const WriteFn& write) {
  auto request = RequestFromQuery(method, req);
  if (!request.ok()) {
    respond(
        ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT, std::string(request.status().message())),
        false);
    return;
  }
  const pb::FieldDescriptor* id_field = ResumeFields(method).first;
  std::unique_ptr<pb::Message> parsed(factory_.GetPrototype(method->output_type())->New());

  grpc::ClientContext ctx;
  Prepare(&ctx, req, /*stream=*/true);
  grpc::CompletionQueue cq;
  auto call = stub_.PrepareCall(
      &ctx, absl::StrCat("/", method->service()->full_name(), "/", method->name()), &cq);
  grpc::Slice slice(*request);
  grpc::ByteBuffer in(&slice, 1), message;
  grpc::Status status;
  // One operation at a time until the request is out (the in-process call takes microseconds).
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(kStarted));
  cq.Next(&tag, &ok);
  if (ok) {
    call->WriteLast(in, grpc::WriteOptions(), reinterpret_cast<void*>(kWritten));
    cq.Next(&tag, &ok);
  }
  call->Read(&message, reinterpret_cast<void*>(kRead));
  int pending = 1;
  bool started = false, cancelled = false, client_gone = false;
  const auto began = Clock::now();
  auto last_write = began;
  auto cancel = [&] {
    if (!cancelled) ctx.TryCancel();
    cancelled = true;
  };
  auto send = [&](const std::string& chunk) {
    if (!started) respond(StreamHead(), true);
    started = true;
    last_write = Clock::now();
    if (!client_gone && !write(chunk)) {
      client_gone = true;
      cancel();
    }
  };
  while (pending > 0) {
    auto next =
        cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + std::chrono::seconds(1) / 5);
    if (next == grpc::CompletionQueue::SHUTDOWN) break;
    if (next == grpc::CompletionQueue::TIMEOUT) {
      if (stopping_->load()) cancel();
      auto now = Clock::now();
      if (!started && now - began >= kHeadAfter) send(": stream open\n\n");
      if (started && now - last_write >= kKeepAlive) send(": keep-alive\n\n");
      continue;
    }
    --pending;
    if (reinterpret_cast<intptr_t>(tag) == kRead) {
      if (ok) {
        std::string bytes = Flatten(message);
        auto json = published::BinaryToJson(bytes, method->output_type()->full_name(), {});
        std::string id;
        if (id_field != nullptr && parsed->ParseFromString(bytes)) {
          id = parsed->GetReflection()->GetString(*parsed, id_field);
        }
        send(absl::StrCat(id.empty() ? "" : absl::StrCat("id: ", id, "\n"), "event: ",
                          method->output_type()->name(), "\ndata: ", json.value_or("{}"), "\n\n"));
        call->Read(&message, reinterpret_cast<void*>(kRead));
      } else {
        call->Finish(&status, reinterpret_cast<void*>(kFinished));
      }
      ++pending;
    }
    if (reinterpret_cast<intptr_t>(tag) == kFinished) pending = 0;
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!started) {
    if (status.ok()) {
      respond(StreamHead(), true);
    } else {
      respond(ErrorResponse(status.error_code(), status.error_message()), false);
    }
    return;
  }
  if (stopping_->load() && !client_gone) {
    // The replica drains: EventSource reconnects (to another replica) with Last-Event-ID.
    send("retry: 1000\n: this replica is shutting down; reconnect\n\n");
    return;
  }
  if (!status.ok() && !client_gone) {
    Response error = ErrorResponse(status.error_code(), status.error_message());
    send(absl::StrCat("event: error\ndata: ", error.body, "\n\n"));
  }
}

std::vector<std::pair<std::string, std::string>> QueryParams(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view part : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    auto decode = [](const std::string& s) {
      std::string buf(s.size() + 1, '\0');
      int n = mg_url_decode(s.data(), static_cast<int>(s.size()), buf.data(),
                            static_cast<int>(buf.size()), /*is_form_url_encoded=*/1);
      buf.resize(n < 0 ? 0 : n);
      return buf;
    };
    out.emplace_back(decode(kv.first), decode(kv.second));
  }
  return out;
}

std::string QueryParam(const std::string& query, const std::string& name) {
  for (auto& [k, v] : QueryParams(query)) {
    if (k == name) return v;
  }
  return "";
}

std::string BearerKey(const Request& req, bool allow_query) {
  const std::string& auth = req.Header("authorization");
  if (absl::StartsWithIgnoreCase(auth, "bearer ")) return auth.substr(7);
  return allow_query ? QueryParam(req.query, "access_token") : "";
}

}  // namespace omniroute::http
