#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/hmac.h"

namespace omniroute::intake {

// How far (s) the t= of an Omniroute-Signature may be from the server's clock, either way.
inline constexpr int64_t kSignatureWindowSeconds = 300;

using ::omniroute::HmacSha1Base64;
using ::omniroute::HmacSha256Hex;
// Equal strings, compared in a time that does not depend on where they differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Checks the header "Omniroute-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
// "<t>.<body>")>" (omniroute's outgoing webhooks sign the same way; several v1= may be given,
// e.g. during a secret rotation, and one matching is enough). UNAUTHENTICATED saying what is
// wrong: missing or malformed header, t outside now +- kSignatureWindowSeconds, no v1 matches.
absl::Status VerifyOmnirouteSignature(absl::string_view header, absl::string_view body,
                                      absl::string_view secret, int64_t now_unix_seconds);

// Twilio's request signature: base64(HMAC-SHA1(auth token, url + each POST parameter's name
// and value, sorted by name (then value)).
std::string TwilioSignature(absl::string_view auth_token, absl::string_view url,
                            std::vector<std::pair<std::string, std::string>> params);
// Checks X-Twilio-Signature against `url` as configured, and against the same URL with the
// scheme's default port added or any port removed (as Twilio's own validators do: Twilio may
// sign either form). UNAUTHENTICATED when missing or no form matches.
absl::Status VerifyTwilioSignature(absl::string_view header, absl::string_view url,
                                   const std::vector<std::pair<std::string, std::string>>& params,
                                   absl::string_view auth_token);

// Mailgun's signature of a webhook: the form fields timestamp, token and signature, where
// signature = hex HMAC-SHA256(webhook signing key, timestamp + token). UNAUTHENTICATED when a
// field is missing or the signature does not match.
absl::Status VerifyMailgunSignature(absl::string_view timestamp, absl::string_view token,
                                    absl::string_view signature, absl::string_view signing_key);

}  // namespace omniroute::intake
