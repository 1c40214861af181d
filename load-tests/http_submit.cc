#include "load-tests/http_submit.h"

#include <curl/curl.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/published.h"
#include "services/common/http/grpc_bridge.h"

namespace omniroute::bench {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// This thread's handle: its connection stays open between calls.
CURL* Handle() {
  static const bool init = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)init;
  thread_local std::unique_ptr<CURL, void (*)(CURL*)> handle(curl_easy_init(), &curl_easy_cleanup);
  return handle.get();
}

grpc::StatusCode CodeNamed(const std::string& body) {
  for (int c = 1; c <= 16; ++c) {
    auto code = static_cast<grpc::StatusCode>(c);
    if (body.find(absl::StrCat("\"code\":\"", http::CodeName(code), "\"")) != std::string::npos) {
      return code;
    }
  }
  return grpc::StatusCode::UNKNOWN;
}

}  // namespace

grpc::Status HttpSubmitInteractions(const std::string& address, const std::string& key,
                                    const v1::SubmitInteractionsRequest& req,
                                    v1::SubmitInteractionsResponse* resp,
                                    std::chrono::milliseconds timeout) {
  auto json = published::ToJson(req);
  if (!json.ok())
    return grpc::Status(grpc::StatusCode::INTERNAL, std::string(json.status().message()));
  CURL* curl = Handle();
  if (curl == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "curl_easy_init failed");
  const std::string url =
      absl::StrCat("http://", address, "/omniroute.v1.Intake/SubmitInteractions");
  const std::string auth = absl::StrCat("Authorization: Bearer ", key);
  const std::string deadline = absl::StrCat("Connect-Timeout-Ms: ", timeout.count());
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, deadline.c_str());
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json->data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(json->size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count() + 5000));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("POST ", url, ": ", curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    return grpc::Status(CodeNamed(body), absl::StrCat("HTTP ", status, ": ", body));
  auto st = published::FromJson(body, resp);
  if (!st.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, std::string(st.message()));
  return grpc::Status::OK;
}

}  // namespace omniroute::bench
