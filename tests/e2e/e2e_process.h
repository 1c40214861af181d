// Process-level helpers of the e2e tests: fetching a replica's /metrics over a loopback
// socket and running a command (e.g. promtool, omniroute-ctl) with given input.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

// What a command run to completion printed, and its exit code (-1 when it had to be killed).
struct CommandResult {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs argv (argv[0] a path) with `env` added to the environment and `input` on stdin, stdout
// and stderr captured apart through files in `dir`; kills it after `timeout_ms`.
inline CommandResult RunCommand(const std::vector<std::string>& argv,
                                const std::map<std::string, std::string>& env,
                                const std::string& input, const std::string& dir,
                                int timeout_ms = 30000) {
  static std::atomic<int> runs{0};
  std::string base = dir + "/cmd-" + std::to_string(runs++);
  std::ofstream(base + ".in") << input;
  // Everything the child needs is built before fork: between fork and exec only
  // async-signal-safe calls (other threads may hold malloc's lock).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (!env.count(kv.substr(0, kv.find('=')))) env_strings.push_back(kv);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  args.push_back(nullptr);
  envp.push_back(nullptr);
  const std::string in_path = base + ".in", out_path = base + ".out", err_path = base + ".err";
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  CommandResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (status != -1 && WIFEXITED(status)) r.code = WEXITSTATUS(status);
  auto slurp = [](const std::string& path) {
    std::stringstream s;
    s << std::ifstream(path).rdbuf();
    return s.str();
  };
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  return r;
}

}  // namespace omniroute::e2e
