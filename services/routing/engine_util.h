#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

// Small helpers shared by the files of RoutingEngine (routing_engine*.cc).
namespace omniroute::routing::internal {

inline absl::Status Unavailable(const absl::Status& st) {
  return absl::UnavailableError(absl::StrCat("redis: ", st.message()));
}

inline int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return v;
}

}  // namespace omniroute::routing::internal
