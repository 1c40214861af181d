#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace omniroute::testing {

// A child process started by a test (a service executable, redis-server). Its stdout and
// stderr go to `log_path`. The destructor kills it (SIGKILL) if it still runs.
class Process {
 public:
  Process(std::string binary, std::vector<std::string> args, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends a signal; returns false when the process is gone.
  bool Signal(int sig);
  // Waits up to timeout_ms for exit; returns the exit code, 128+signal, or -1 on time-out.
  int Wait(int timeout_ms);
  const std::string& log_path() const { return log_path_; }
  std::string ReadLog() const;

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// Directory of the built executables (OMNIROUTE_BIN_DIR, set by CTest).
std::string BinDir();
// A fresh temporary directory.
std::string MakeTempDir(const std::string& prefix);

}  // namespace omniroute::testing
