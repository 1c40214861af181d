#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace omniroute {

// Validators for external input. Each returns InvalidArgument naming `field` when it fails.

// Tenant ids: [A-Za-z0-9_-]{1,64} (they become a Redis hash tag).
absl::Status ValidateTenantId(absl::string_view field, absl::string_view value);
// Names of queues, skills, rules: [A-Za-z0-9_.-]{1,64}.
absl::Status ValidateName(absl::string_view field, absl::string_view value);
// An intent model's label: [A-Za-z0-9_.?-]{1,64} (a name, and the '?' of labels such as
// Banking77's "reverted_card_payment?").
absl::Status ValidateIntentLabel(absl::string_view field, absl::string_view value);
// Ids of agents, customers: [A-Za-z0-9_.:@-]{1,128}.
absl::Status ValidateExternalId(absl::string_view field, absl::string_view value);
// Interaction ids as issued by intake: 32 lowercase hex characters.
absl::Status ValidateInteractionId(absl::string_view field, absl::string_view value);
// Valid UTF-8 of at most max_bytes bytes.
absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_bytes);
// Printable ASCII (0x20-0x7e, the space included) of 1..max_bytes bytes (idempotency keys).
absl::Status ValidatePrintable(absl::string_view field, absl::string_view value, size_t max_bytes);

bool IsValidUtf8(absl::string_view s);

// Integrator attributes (key -> value) of an interaction or a Classify call.
inline constexpr size_t kMaxAttributes = 32;
inline constexpr size_t kMaxAttributeValueBytes = 1024;
// One attribute of the map named `field`: the key a name, the value UTF-8 of at most
// kMaxAttributeValueBytes.
absl::Status ValidateAttribute(absl::string_view key, absl::string_view value,
                               absl::string_view field = "attributes");
// A map of attributes (std::map or protobuf Map) named `field` (also used for escalation
// context): at most kMaxAttributes entries, each valid.
template <typename Map>
absl::Status ValidateAttributes(const Map& attributes, absl::string_view field = "attributes") {
  if (attributes.size() > kMaxAttributes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": more than ", kMaxAttributes, " entries"));
  }
  for (const auto& [key, value] : attributes) {
    if (auto st = ValidateAttribute(key, value, field); !st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace omniroute
