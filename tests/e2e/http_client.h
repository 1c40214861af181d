// A real HTTP client for the e2e tests of the HTTP/JSON front: curl (Debian's), run as a
// process. Requests and answers are checked as an integrator's client would see them.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "services/common/grpc/published.h"
#include "tests/e2e/e2e_process.h"
#include "tests/support/process.h"

namespace omniroute::e2e {

struct HttpResult {
  int status = 0;
  std::string body;
};

// `method` (GET/POST/OPTIONS) of `url` with `headers` ("Name: value") and `body` (POST).
inline HttpResult Curl(const std::string& dir, const std::string& method, const std::string& url,
                       const std::vector<std::string>& headers, const std::string& body = "") {
  std::vector<std::string> argv = {"/usr/bin/curl",  "-s",         "-X", method, "-w",
                                   "\n%{http_code}", "--max-time", "20"};
  for (const auto& h : headers) argv.insert(argv.end(), {"-H", h});
  if (method == "POST") argv.insert(argv.end(), {"--data-binary", "@-"});
  argv.push_back(url);
  CommandResult r = RunCommand(argv, {}, body, dir, 30000);
  HttpResult out;
  size_t nl = r.out.rfind('\n');
  if (r.code != 0 || nl == std::string::npos) {
    ADD_FAILURE() << "curl " << url << " exited " << r.code << ": " << r.err;
    return out;
  }
  out.status = std::atoi(r.out.c_str() + nl + 1);
  out.body = r.out.substr(0, nl);
  return out;
}

// POST of a JSON request with an API key, as the HTTP front expects it.
inline HttpResult PostJson(const std::string& dir, const std::string& url, const std::string& key,
                           const std::string& json) {
  return Curl(dir, "POST", url, {"Authorization: Bearer " + key, "Content-Type: application/json"},
              json);
}

// `json` into a generated message through the published descriptors; fails the test otherwise.
template <typename M>
M Parse(const std::string& json) {
  M m;
  auto st = published::FromJson(json, &m, /*ignore_unknown_fields=*/false);
  EXPECT_TRUE(st.ok()) << st.message() << "\n" << json;
  return m;
}

// A Server-Sent Events stream read by `curl -N` into a file.
class EventStream {
 public:
  EventStream(const std::string& dir, const std::string& name, const std::string& url,
              const std::vector<std::string>& headers) {
    std::vector<std::string> args = {"-sN", "--max-time", "120"};
    for (const auto& h : headers) args.insert(args.end(), {"-H", h});
    args.push_back(url);
    process_ = std::make_unique<testing::Process>("/usr/bin/curl", args, dir + "/" + name);
  }
  ~EventStream() { Stop(); }
  void Stop() {
    if (process_ && process_->Running()) process_->Signal(SIGKILL);
    if (process_) process_->Wait(5000);
  }

  struct Event {
    std::string id, type, data;
  };
  // The events received so far.
  std::vector<Event> Events() const {
    std::vector<Event> out;
    for (absl::string_view block : absl::StrSplit(process_->ReadLog(), "\n\n")) {
      Event e;
      for (absl::string_view line : absl::StrSplit(block, '\n')) {
        if (absl::ConsumePrefix(&line, "id: ")) e.id = std::string(line);
        if (absl::ConsumePrefix(&line, "event: ")) e.type = std::string(line);
        if (absl::ConsumePrefix(&line, "data: ")) e.data = std::string(line);
      }
      if (!e.data.empty()) out.push_back(e);
    }
    return out;
  }
  // Waits up to `seconds` for an event `pred` accepts; returns it (data empty: none came).
  template <typename Pred>
  Event WaitFor(Pred pred, int seconds = 15) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& e : Events()) {
        if (pred(e)) return e;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
  }
  std::string Raw() const { return process_->ReadLog(); }

 private:
  std::unique_ptr<testing::Process> process_;
};

}  // namespace omniroute::e2e
