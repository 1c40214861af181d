#include "tests/support/webhook_receiver.h"

#include <civetweb.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace omniroute::testing {

WebhookReceiver::WebhookReceiver(Responder respond) : respond_(std::move(respond)) {
  const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "16", nullptr};
  mg_callbacks callbacks{};
  ctx_ = mg_start(&callbacks, this, options);
  if (ctx_ == nullptr) throw std::runtime_error("webhook receiver: civetweb did not start");
  mg_server_port ports[1];
  if (mg_get_server_ports(ctx_, 1, ports) < 1) {
    throw std::runtime_error("webhook receiver: no listening port");
  }
  port_ = ports[0].port;
  mg_set_request_handler(ctx_, "/", &WebhookReceiver::Handle, this);
}

WebhookReceiver::~WebhookReceiver() {
  if (ctx_ != nullptr) mg_stop(ctx_);
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::pair<WebhookReceiver::Request, int>> WebhookReceiver::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t WebhookReceiver::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

int WebhookReceiver::Handle(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<WebhookReceiver*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  Request req;
  req.method = info->request_method;
  req.path = info->local_uri;
  for (int i = 0; i < info->num_headers; ++i) {
    std::string name = info->http_headers[i].name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    req.headers[name] = info->http_headers[i].value;
  }
  char buf[4096];
  int n;
  while ((n = mg_read(conn, buf, sizeof(buf))) > 0) req.body.append(buf, n);
  ++self->in_flight_;
  int index;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    index = static_cast<int>(self->requests_.size());
    self->requests_.emplace_back(req, 0);
  }
  Answer answer = self->respond_ ? self->respond_(req, index) : Answer{};
  if (answer.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(answer.delay_ms));
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    self->requests_[index].second = answer.status;
  }
  std::string body = answer.status < 300 ? "ok" : "receiver says no";
  mg_printf(conn,
            "HTTP/1.1 %d Status\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n%s",
            answer.status, body.size(), body.c_str());
  --self->in_flight_;
  return answer.status;
}

}  // namespace omniroute::testing
