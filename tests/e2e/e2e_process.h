// Process-level helpers of the e2e tests: fetching a replica's /metrics over a loopback
// socket and running a command (e.g. promtool) with given input.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"

namespace omniroute::e2e {

// GET http://127.0.0.1:<port><path>; returns the body ("" on failure) and the status code.
inline std::string HttpGet(int port, const std::string& path, int* status_code) {
  *status_code = 0;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (send(fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return "";
  }
  std::string raw;
  char buf[16384];
  for (int i = 0; i < 100000; ++i) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return "";
  std::string head = raw.substr(0, head_end);
  std::string body = raw.substr(head_end + 4);
  auto sp = head.find(' ');
  if (sp != std::string::npos) (void)absl::SimpleAtoi(head.substr(sp + 1, 3), status_code);
  std::string lower = head;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    std::string decoded;
    size_t pos = 0;
    while (pos < body.size()) {
      auto eol = body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      decoded += body.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
    body = decoded;
  }
  return body;
}

// Runs `command` with `input` on stdin; returns its exit code and fills `output` with its
// stdout and stderr.
inline int RunWithInput(const std::string& command, const std::string& input,
                        const std::string& tmp_path, std::string* output) {
  {
    FILE* f = std::fopen(tmp_path.c_str(), "w");
    if (f == nullptr) return -1;
    std::fwrite(input.data(), 1, input.size(), f);
    std::fclose(f);
  }
  std::string full = command + " < '" + tmp_path + "' 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  output->clear();
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
  int status = pclose(p);
  std::remove(tmp_path.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace omniroute::e2e
