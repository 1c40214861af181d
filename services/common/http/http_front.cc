#include "services/common/http/http_front.h"

#include <civetweb.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace omniroute::http {
namespace {

const char* kAllowHeaders =
    "Authorization, Content-Type, Last-Event-ID, Connect-Protocol-Version, Connect-Timeout-Ms, "
    "X-Request-Id";

// The request line, headers and body; false (after answering) when the body is too large.
bool ReadRequest(mg_connection* conn, size_t max_body, Request* req) {
  const mg_request_info* info = mg_get_request_info(conn);
  req->method = info->request_method != nullptr ? info->request_method : "";
  req->path = info->local_uri != nullptr ? info->local_uri : "";
  req->query = info->query_string != nullptr ? info->query_string : "";
  req->remote = info->remote_addr;
  for (int i = 0; i < info->num_headers; ++i) {
    std::string name = absl::AsciiStrToLower(info->http_headers[i].name);
    auto [it, fresh] = req->headers.emplace(name, info->http_headers[i].value);
    if (!fresh) absl::StrAppend(&it->second, ", ", info->http_headers[i].value);
  }
  if (info->content_length > static_cast<long long>(max_body)) {
    mg_send_http_error(conn, 413, "request body larger than %zu bytes", max_body);
    return false;
  }
  char buf[16384];
  for (;;) {
    int n = mg_read(conn, buf, sizeof(buf));
    if (n <= 0) break;
    req->body.append(buf, n);
    if (req->body.size() > max_body) {
      mg_send_http_error(conn, 413, "request body larger than %zu bytes", max_body);
      return false;
    }
  }
  return true;
}

void SendHead(mg_connection* conn, const Response& r,
              const std::vector<std::pair<std::string, std::string>>& cors, long long length) {
  mg_response_header_start(conn, r.status);
  mg_response_header_add(conn, "Content-Type", r.content_type.c_str(), -1);
  for (const auto& [k, v] : r.headers) mg_response_header_add(conn, k.c_str(), v.c_str(), -1);
  for (const auto& [k, v] : cors) mg_response_header_add(conn, k.c_str(), v.c_str(), -1);
  if (length >= 0) {
    mg_response_header_add(conn, "Content-Length", std::to_string(length).c_str(), -1);
  } else {
    mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
  }
  mg_response_header_send(conn);
}

void Send(mg_connection* conn, const Response& r,
          const std::vector<std::pair<std::string, std::string>>& cors) {
  SendHead(conn, r, cors, static_cast<long long>(r.body.size()));
  if (!r.body.empty()) mg_write(conn, r.body.data(), r.body.size());
}

}  // namespace

Front::Front(FrontOptions options, std::string bind, prometheus::Registry* registry)
    : options_(std::move(options)), bind_(std::move(bind)) {
  if (registry == nullptr) return;
  requests_ = &prometheus::BuildCounter()
                   .Name("omniroute_http_requests_total")
                   .Help(
                       "Requests on the HTTP/JSON port by route (the RPC's path, or an extra "
                       "route's prefix; unknown otherwise) and HTTP status")
                   .Register(*registry);
  open_streams_ = &prometheus::BuildGauge()
                       .Name("omniroute_http_event_streams")
                       .Help("Server-Sent Event streams open on the HTTP/JSON port")
                       .Register(*registry)
                       .Add({});
}

void Front::Count(const std::string& route, int status) {
  if (requests_ != nullptr)
    requests_->Add({{"route", route}, {"code", std::to_string(status)}}).Increment();
}

Front::~Front() { Stop(); }

void Front::AddRoute(std::string prefix, Handler handler) {
  routes_.emplace_back(std::move(prefix), std::move(handler));
  // Longest prefix first.
  std::stable_sort(routes_.begin(), routes_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

absl::Status Front::Start(std::unique_ptr<GrpcBridge> bridge, int* port) {
  bridge_ = std::move(bridge);
  mg_init_library(0);
  std::string ports = absl::StrCat(bind_, ":", options_.port);
  std::string threads = std::to_string(std::max(2, options_.threads));
  const char* opts[] = {"listening_ports", ports.c_str(), "num_threads", threads.c_str(),
                        "enable_keep_alive", "yes", "keep_alive_timeout_ms", "30000",
                        "request_timeout_ms", "30000",
                        // civetweb would answer every CORS preflight itself with "*": off, the
                        // front answers them for the allowed origins only (Handle).
                        "access_control_allow_origin", "",
                        // The head and the body go out as two writes: without this, Nagle holds
                        // the body until the client's delayed ACK (~40 ms per call).
                        "tcp_nodelay", "1", nullptr};
  mg_callbacks callbacks{};
  ctx_ = mg_start(&callbacks, this, opts);
  if (ctx_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", ports, " (HTTP)"));
  }
  mg_set_request_handler(ctx_, "/", &Front::OnRequest, this);
  mg_server_port bound[4];
  int n = mg_get_server_ports(ctx_, 4, bound);
  *port = n > 0 ? bound[0].port : options_.port;
  return absl::OkStatus();
}

void Front::Stop() {
  if (ctx_ != nullptr) mg_stop(ctx_);
  ctx_ = nullptr;
}

int Front::OnRequest(mg_connection* conn, void* self) {
  return static_cast<Front*>(self)->Handle(conn);
}

int Front::Handle(mg_connection* conn) {
  std::string route = "unknown";
  int status = Serve(conn, &route);
  Count(route, status);
  return status;
}

int Front::Serve(mg_connection* conn, std::string* route) {
  Request req;
  if (!ReadRequest(conn, options_.max_body_bytes, &req)) return 413;
  std::vector<std::pair<std::string, std::string>> cors;
  const std::string& origin = req.Header("origin");
  if (!origin.empty() &&
      std::any_of(options_.cors_origins.begin(), options_.cors_origins.end(),
                  [&](const std::string& o) { return o == "*" || o == origin; })) {
    cors = {{"Access-Control-Allow-Origin", origin}, {"Vary", "Origin"}};
    if (req.method == "OPTIONS") {
      cors.push_back({"Access-Control-Allow-Methods", "GET, POST, OPTIONS"});
      cors.push_back({"Access-Control-Allow-Headers", kAllowHeaders});
      cors.push_back({"Access-Control-Max-Age", "600"});
      Response r;
      r.status = 204;
      Send(conn, r, cors);
      return 204;
    }
  }
  for (const auto& [prefix, handler] : routes_) {
    if (absl::StartsWith(req.path, prefix)) {
      *route = prefix;
      Response r = handler(req);
      Send(conn, r, cors);
      return r.status;
    }
  }
  const google::protobuf::MethodDescriptor* method = bridge_ ? bridge_->Find(req.path) : nullptr;
  if (method == nullptr) {
    Response r = ErrorResponse(grpc::StatusCode::NOT_FOUND,
                               absl::StrCat("no method at ", req.path, " on this port"));
    Send(conn, r, cors);
    return r.status;
  }
  *route = req.path;  // a method of this port: a bounded set
  const bool streaming = method->server_streaming();
  const char* want = streaming ? "GET" : "POST";
  if (req.method != want) {
    Response r = ErrorResponse(grpc::StatusCode::UNIMPLEMENTED,
                               absl::StrCat(req.path, " takes ", want,
                                            streaming ? " (Server-Sent Events)" : " with JSON"));
    r.status = 405;
    r.headers.push_back({"Allow", want});
    Send(conn, r, cors);
    return 405;
  }
  if (!streaming) {
    Response r = bridge_->Unary(method, req);
    Send(conn, r, cors);
    return r.status;
  }
  const int max_streams = std::max(1, options_.threads - options_.reserved_threads);
  if (streams_.fetch_add(1) >= max_streams) {
    streams_.fetch_sub(1);
    Response r = ErrorResponse(
        grpc::StatusCode::UNAVAILABLE,
        absl::StrCat("this replica has ", max_streams, " event streams open (--http-threads); ",
                     "retry, or connect to another replica"));
    r.headers.push_back({"Retry-After", "5"});
    Send(conn, r, cors);
    return r.status;
  }
  if (open_streams_ != nullptr) open_streams_->Increment();
  int status = 200;
  bridge_->Stream(
      method, req,
      [&](const Response& r, bool stream) {
        status = r.status;
        if (stream) {
          SendHead(conn, r, cors, -1);
        } else {
          Send(conn, r, cors);
        }
      },
      [&](const std::string& chunk) {
        return mg_send_chunk(conn, chunk.data(), static_cast<unsigned>(chunk.size())) > 0;
      });
  if (status == 200) mg_send_chunk(conn, "", 0);
  streams_.fetch_sub(1);
  if (open_streams_ != nullptr) open_streams_->Decrement();
  return status;
}

}  // namespace omniroute::http
