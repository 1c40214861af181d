#include "services/whatif/scratch_redis.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace omniroute::whatif {

namespace {

std::string ReadLog(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ScratchRedis>> ScratchRedis::Start(const std::string& binary) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/omniroute-whatif-XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("what-if: cannot create ", pattern));
  }
  std::string dir = buf.data();
  std::string socket = dir + "/redis.sock", log = dir + "/redis.log";
  std::vector<std::string> args = {
      binary, "--port",      "0",  "--unixsocket", socket, "--unixsocketperm",
      "700",  "--dir",       dir,  "--save",       "",     "--appendonly",
      "no",   "--daemonize", "no", "--logfile",    log};
  // Built before the fork: the child of a threaded process may only make async-signal-safe
  // calls (no allocation) before exec.
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("what-if: fork failed");
  if (pid == 0) {
    // The child: dies with the process that started it; exec or exit.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  std::unique_ptr<ScratchRedis> redis(new ScratchRedis(pid, dir));
  redis->endpoint_.unix_path = socket;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      redis->pid_ = -1;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        return absl::FailedPreconditionError(
            absl::StrCat("what-if: cannot run '", binary, "' (a redis-server is needed)"));
      }
      return absl::InternalError(
          absl::StrCat("what-if: redis-server exited at start: ", ReadLog(log)));
    }
    if (std::filesystem::exists(socket)) {
      auto conn = redis::Connection::Open(redis->endpoint_, std::chrono::milliseconds(500));
      if (conn.ok()) {
        auto r = (*conn)->Command({"PING"});
        if (r.ok() && r->str == "PONG") return redis;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::InternalError("what-if: redis-server did not start within 10 s");
}

ScratchRedis::ScratchRedis(pid_t pid, std::string dir) : pid_(pid), dir_(std::move(dir)) {}

ScratchRedis::~ScratchRedis() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace omniroute::whatif
