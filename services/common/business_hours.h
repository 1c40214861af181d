#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"

namespace omniroute {

// Checks opening hours (time zone known, windows well-formed); the error names the field.
absl::Status ValidateBusinessHours(const v1::BusinessHours& hours);

// Whether a queue with these hours is open at `now_ms` (ms since the epoch). No windows means
// always open.
absl::StatusOr<bool> IsOpen(const v1::BusinessHours& hours, int64_t now_ms);

}  // namespace omniroute
