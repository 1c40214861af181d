#include "services/common/config/flags.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "services/common/build_info.h"

namespace omniroute::config {

void Flags::Add(const std::string& name, std::string* target, const std::string& help) {
  flags_[name] = Flag{Flag::Kind::kString, target, help, *target};
}
void Flags::Add(const std::string& name, int* target, const std::string& help) {
  flags_[name] = Flag{Flag::Kind::kInt, target, help, std::to_string(*target)};
}
void Flags::Add(const std::string& name, int64_t* target, const std::string& help) {
  flags_[name] = Flag{Flag::Kind::kInt64, target, help, std::to_string(*target)};
}
void Flags::Add(const std::string& name, bool* target, const std::string& help) {
  flags_[name] = Flag{Flag::Kind::kBool, target, help, *target ? "true" : "false"};
}

void Flags::AddPositional(const std::string& name, std::string* target) {
  positionals_.emplace_back(name, target);
}

absl::Status Flags::Set(const std::string& name, const std::string& value,
                        const std::string& source) {
  auto it = flags_.find(name);
  if (it == flags_.end()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": unknown flag --", name));
  }
  Flag& f = it->second;
  auto bad = [&](const char* what) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": --", name, " must be ", what, ", got '", value, "'"));
  };
  switch (f.kind) {
    case Flag::Kind::kString:
      *static_cast<std::string*>(f.target) = value;
      break;
    case Flag::Kind::kInt:
      if (!absl::SimpleAtoi(value, static_cast<int*>(f.target))) return bad("an integer");
      break;
    case Flag::Kind::kInt64:
      if (!absl::SimpleAtoi(value, static_cast<int64_t*>(f.target))) return bad("an integer");
      break;
    case Flag::Kind::kBool:
      if (!absl::SimpleAtob(value, static_cast<bool*>(f.target))) return bad("true or false");
      break;
  }
  return absl::OkStatus();
}

absl::Status Flags::Parse(int argc, char** argv) {
  for (const auto& [name, flag] : flags_) {
    std::string env = "OMNIROUTE_" + absl::AsciiStrToUpper(absl::StrReplaceAll(name, {{"-", "_"}}));
    if (const char* v = std::getenv(env.c_str())) {
      if (auto s = Set(name, v, env); !s.ok()) return s;
    }
  }
  size_t positional = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::NotFoundError(Usage());
    if (arg == "--version") return absl::NotFoundError(VersionLine(program_));
    if (arg.rfind("--", 0) != 0) {
      if (positional == positionals_.size() || arg.empty() || (arg[0] == '-' && arg != "-")) {
        return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
      }
      *positionals_[positional++].second = arg;
      continue;
    }
    std::string name = arg.substr(2), value;
    auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      auto it = flags_.find(name);
      if (it == flags_.end()) {
        return absl::InvalidArgumentError(absl::StrCat("command line: unknown flag --", name));
      }
      if (it->second.kind == Flag::Kind::kBool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
    }
    if (auto s = Set(name, value, "command line"); !s.ok()) return s;
  }
  if (positional < positionals_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing ", positionals_[positional].first, " (see --help)"));
  }
  return absl::OkStatus();
}

std::string Flags::Usage() const {
  std::string out = absl::StrCat("usage: ", program_);
  for (const auto& [name, target] : positionals_) absl::StrAppend(&out, " ", name);
  absl::StrAppend(&out, " [flags]\n");
  for (const auto& [name, f] : flags_) {
    absl::StrAppend(&out, "  --", name, "  ", f.help, " (default: ", f.default_value, ")\n");
  }
  absl::StrAppend(&out, "  --help  this text\n  --version  the version and git commit\n");
  if (!description_.empty()) absl::StrAppend(&out, "\n", description_);
  return out;
}

}  // namespace omniroute::config
