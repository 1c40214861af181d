#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace omniroute::redis {

// A failure to reach Redis as callers see it: UNAVAILABLE (retryable), "redis: <message>".
inline absl::Status Unavailable(const absl::Status& st) {
  return absl::UnavailableError(absl::StrCat("redis: ", st.message()));
}

// An integer Redis returned as text (a hash field, a script's reply); 0 when absent or not one.
inline int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return v;
}

}  // namespace omniroute::redis
