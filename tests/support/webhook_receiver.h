#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

struct mg_context;
struct mg_connection;

namespace omniroute::testing {

// An HTTP server on a free loopback port (civetweb) standing in for a tenant's webhook
// receiver: it records every request and answers each as `respond` says.
class WebhookReceiver {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
  };
  struct Answer {
    int status = 200;
    int delay_ms = 0;  // wait this long before answering
  };
  // `index` counts the requests from 0 in the order they arrived.
  using Responder = std::function<Answer(const Request& request, int index)>;

  explicit WebhookReceiver(Responder respond = nullptr);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const;
  // Every request so far, in arrival order, with the status it got.
  std::vector<std::pair<Request, int>> requests() const;
  size_t count() const;
  // Requests being answered now (read, not yet answered).
  int in_flight() const { return in_flight_.load(); }

 private:
  static int Handle(mg_connection* conn, void* self);

  Responder respond_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<std::pair<Request, int>> requests_;
  std::atomic<int> in_flight_{0};
};

}  // namespace omniroute::testing
