#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace omniroute {

// The git commit the binary was built from (`git describe --always --dirty`), "unknown" when
// it was not built from a git checkout.
const char* BuildCommit();

// What `--version` prints: "<program> <version> (commit <commit>)".
inline std::string VersionLine(absl::string_view program) {
  return absl::StrCat(program, " ", OMNIROUTE_VERSION, " (commit ", BuildCommit(), ")");
}

}  // namespace omniroute
