#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace omniroute {

// Validators for external input. Each returns InvalidArgument naming `field` when it fails.

// Tenant ids: [A-Za-z0-9_-]{1,64} (they become a Redis hash tag).
absl::Status ValidateTenantId(absl::string_view field, absl::string_view value);
// Names of queues, skills, rules: [A-Za-z0-9_.-]{1,64}.
absl::Status ValidateName(absl::string_view field, absl::string_view value);
// Ids of agents, customers: [A-Za-z0-9_.:@-]{1,128}.
absl::Status ValidateExternalId(absl::string_view field, absl::string_view value);
// Interaction ids as issued by intake: 32 lowercase hex characters.
absl::Status ValidateInteractionId(absl::string_view field, absl::string_view value);
// Valid UTF-8 of at most max_bytes bytes.
absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_bytes);
// Printable ASCII of 1..max_bytes bytes (idempotency keys).
absl::Status ValidatePrintable(absl::string_view field, absl::string_view value, size_t max_bytes);

bool IsValidUtf8(absl::string_view s);

}  // namespace omniroute
