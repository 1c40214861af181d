#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace omniroute {

// HMAC of `message` under `key` (OpenSSL): the webhook signatures, ours (Omniroute-Signature,
// both directions) and the providers' (Twilio's HMAC-SHA1, Mailgun's HMAC-SHA256).
std::string HmacSha256Hex(absl::string_view key, absl::string_view message);
std::string HmacSha1Base64(absl::string_view key, absl::string_view message);

}  // namespace omniroute
