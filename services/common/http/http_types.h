#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace omniroute::http {

// One HTTP request as the HTTP front hands it to a route (services/common/http/http_front.h).
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, e.g. "/webhooks/acme/twilio"
  std::string query;   // raw, without '?'
  std::map<std::string, std::string> headers;  // names lower-case; repeated headers joined by ", "
  std::string body;                            // raw bytes
  std::string remote;                          // peer address
  // The header's value, or "" when absent (`name` lower-case).
  const std::string& Header(const std::string& name) const {
    static const std::string kNone;
    auto it = headers.find(name);
    return it == headers.end() ? kNone : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Answers the requests whose path starts with the route's prefix. Runs on one of the HTTP
// front's worker threads; may block (e.g. on Redis) for the time of one request.
using Handler = std::function<Response(const Request&)>;

}  // namespace omniroute::http
