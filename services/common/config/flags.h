#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace omniroute::config {

// Command-line flags for a service's typed config. Each flag is --name=value or --name value;
// the environment variable OMNIROUTE_<NAME> (upper case, '-' -> '_') is the fallback. Unknown
// flags are an error, so a typo never goes unnoticed.
class Flags {
 public:
  explicit Flags(std::string program) : program_(std::move(program)) {}

  void Add(const std::string& name, std::string* target, const std::string& help);
  void Add(const std::string& name, int* target, const std::string& help);
  void Add(const std::string& name, int64_t* target, const std::string& help);
  void Add(const std::string& name, bool* target, const std::string& help);
  // A required positional argument (for command-line tools; services take none), filled in
  // the order added; "NAME" is how the usage line shows it.
  void AddPositional(const std::string& name, std::string* target);
  // Text the usage shows after the flags (what the command does, its exit codes).
  void SetDescription(std::string text) { description_ = std::move(text); }

  // Parses argv (environment first, then arguments). --help and --version yield a NotFound
  // status whose message is the usage text or the version line (to print, exiting 0).
  absl::Status Parse(int argc, char** argv);
  std::string Usage() const;

 private:
  struct Flag {
    enum class Kind { kString, kInt, kInt64, kBool } kind;
    void* target;
    std::string help;
    std::string default_value;
  };
  absl::Status Set(const std::string& name, const std::string& value, const std::string& source);

  std::string program_;
  std::map<std::string, Flag> flags_;
  std::vector<std::pair<std::string, std::string*>> positionals_;
  std::string description_;
};

}  // namespace omniroute::config
