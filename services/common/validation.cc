#include "services/common/validation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace omniroute {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

absl::Status ValidateCharset(absl::string_view field, absl::string_view value, size_t max_len,
                             absl::string_view extra, absl::string_view describe) {
  if (value.empty()) return Invalid(field, "is required");
  if (value.size() > max_len) {
    return Invalid(field, absl::StrCat("is longer than ", max_len, " characters"));
  }
  for (char c : value) {
    if (!IsAlnum(c) && extra.find(c) == absl::string_view::npos) {
      return Invalid(field, absl::StrCat("must match ", describe));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateTenantId(absl::string_view field, absl::string_view value) {
  return ValidateCharset(field, value, 64, "_-", "[A-Za-z0-9_-]{1,64}");
}

absl::Status ValidateName(absl::string_view field, absl::string_view value) {
  return ValidateCharset(field, value, 64, "_.-", "[A-Za-z0-9_.-]{1,64}");
}

absl::Status ValidateIntentLabel(absl::string_view field, absl::string_view value) {
  return ValidateCharset(field, value, 64, "_.?-", "[A-Za-z0-9_.?-]{1,64}");
}

absl::Status ValidateExternalId(absl::string_view field, absl::string_view value) {
  return ValidateCharset(field, value, 128, "_.:@-", "[A-Za-z0-9_.:@-]{1,128}");
}

absl::Status ValidateInteractionId(absl::string_view field, absl::string_view value) {
  if (value.empty()) return Invalid(field, "is required");
  if (value.size() != 32) return Invalid(field, "must be 32 lowercase hex characters");
  for (char c : value) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Invalid(field, "must be 32 lowercase hex characters");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes) {
    return Invalid(field, absl::StrCat("is longer than ", max_bytes, " bytes"));
  }
  if (!IsValidUtf8(value)) return Invalid(field, "is not valid UTF-8");
  return absl::OkStatus();
}

absl::Status ValidateAttribute(absl::string_view key, absl::string_view value,
                               absl::string_view field) {
  if (auto st = ValidateName(absl::StrCat(field, " key"), key); !st.ok()) return st;
  return ValidateText(absl::StrCat(field, "[", key, "]"), value, kMaxAttributeValueBytes);
}

absl::Status ValidatePrintable(absl::string_view field, absl::string_view value, size_t max_bytes) {
  if (value.empty()) return Invalid(field, "is empty");
  if (value.size() > max_bytes) {
    return Invalid(field, absl::StrCat("is longer than ", max_bytes, " bytes"));
  }
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return Invalid(field, "must be printable ASCII (0x20-0x7e)");
  }
  return absl::OkStatus();
}

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace omniroute
