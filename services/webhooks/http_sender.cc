#include "services/webhooks/http_sender.h"

#include <curl/curl.h>

#include <chrono>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "services/common/build_info.h"

namespace omniroute::webhooks {
namespace {

constexpr size_t kMaxBodyKept = 200;

// What the callbacks of one Post see.
struct Attempt {
  const AddressPolicy* policy;
  std::string blocked;  // why the guard refused an address
  std::string body;     // the first bytes of the answer
};

curl_socket_t OpenSocket(void* clientp, curlsocktype, curl_sockaddr* address) {
  auto* attempt = static_cast<Attempt*>(clientp);
  std::string why = BlockedReason(&address->addr, *attempt->policy);
  if (!why.empty()) {
    attempt->blocked = why;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

size_t KeepBody(char* data, size_t size, size_t n, void* userdata) {
  auto* attempt = static_cast<Attempt*>(userdata);
  size_t bytes = size * n;
  if (attempt->body.size() < kMaxBodyKept) {
    attempt->body.append(data, std::min(bytes, kMaxBodyKept - attempt->body.size()));
  }
  return bytes;
}

}  // namespace

std::string Printable(const std::string& text, size_t max) {
  std::string out = text.substr(0, max);
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

CurlSender::CurlSender(SenderOptions options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

CurlSender::~CurlSender() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResult CurlSender::Post(const DeliveryRequest& request) {
  HttpResult result;
  auto* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    result.outcome = "other";
    result.error = "libcurl did not start";
    return result;
  }
  Attempt attempt{&options_.policy, "", ""};
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, absl::StrCat(name, ": ", value).c_str());
  }
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT,
                   absl::StrCat("omniroute-webhooks/", OMNIROUTE_VERSION).c_str());
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &attempt);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, KeepBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  auto started = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(curl);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  curl_slist_free_all(headers);
  std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  if (rc == CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    result.status = static_cast<int>(code);
    if (code >= 200 && code < 300) {
      result.outcome = "delivered";
      return result;
    }
    result.outcome = "http_status";
    result.error = absl::StrCat("HTTP ", code,
                                code >= 300 && code < 400 ? " (redirects are not followed)" : "",
                                attempt.body.empty() ? "" : ": ", attempt.body);
  } else if (!attempt.blocked.empty()) {
    result.outcome = "blocked";
    result.error = absl::StrCat("address not allowed: ", attempt.blocked);
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    result.outcome = "timeout";
    result.error = absl::StrCat("no answer within ", options_.timeout_ms, " ms: ", detail);
  } else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
    result.outcome = "connect";
    result.error = absl::StrCat("cannot connect: ", detail);
  } else if (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
             rc == CURLE_SSL_CACERT_BADFILE) {
    result.outcome = "tls";
    result.error = absl::StrCat("TLS: ", detail);
  } else {
    result.outcome = "other";
    result.error = detail;
  }
  result.error = Printable(result.error, 300);
  return result;
}

}  // namespace omniroute::webhooks
