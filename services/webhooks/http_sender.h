#pragma once

#include <cstdint>
#include <string>

#include "services/webhooks/address_policy.h"
#include "services/webhooks/delivery_request.h"

namespace omniroute::webhooks {

// How one attempt ended.
struct HttpResult {
  // "delivered" (a 2xx), or why not, a bounded metric label: "http_status", "timeout",
  // "connect" (no connection: refused, unresolvable name ...), "blocked" (the SSRF guard),
  // "tls", "other".
  std::string outcome;
  int status = 0;      // HTTP status when one came (also for "http_status")
  std::string error;   // for people: printable ASCII, at most 300 bytes
  double seconds = 0;  // the attempt's duration
  bool ok() const { return outcome == "delivered"; }
};

// POSTs a delivery. One instance per thread.
class HttpSender {
 public:
  virtual ~HttpSender() = default;
  virtual HttpResult Post(const DeliveryRequest& request) = 0;
};

struct SenderOptions {
  int64_t timeout_ms = 10000;  // the whole attempt: connect, send, answer
  AddressPolicy policy;
  std::string ca_file;  // "" = the system's CA certificates
};

// HttpSender on libcurl: HTTP/1.1, http and https only, no redirects followed (a 3xx is a
// failure), no proxy (the environment's proxy variables are ignored), TLS certificates
// verified, keep-alive connections reused by the instance's handle. Every address it connects
// to passes the policy (checked on the socket curl is about to open, so a DNS answer cannot
// smuggle a private address past it).
class CurlSender : public HttpSender {
 public:
  explicit CurlSender(SenderOptions options);
  ~CurlSender() override;
  CurlSender(const CurlSender&) = delete;
  CurlSender& operator=(const CurlSender&) = delete;

  HttpResult Post(const DeliveryRequest& request) override;

 private:
  SenderOptions options_;
  void* curl_;  // CURL*
};

// `text` as printable ASCII (other bytes as '?'), cut to `max` bytes.
std::string Printable(const std::string& text, size_t max);

}  // namespace omniroute::webhooks
