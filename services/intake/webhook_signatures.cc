#include "services/intake/webhook_signatures.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace omniroute::intake {
namespace {

absl::Status Unauthenticated(absl::string_view header, absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat(header, ": ", why));
}

// The forms of `url` Twilio may have signed: as given, without its port, with the scheme's
// default port.
std::vector<std::string> TwilioUrlForms(absl::string_view url) {
  std::vector<std::string> forms = {std::string(url)};
  size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return forms;
  std::string scheme = absl::AsciiStrToLower(url.substr(0, scheme_end));
  size_t host_begin = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", host_begin);
  if (authority_end == absl::string_view::npos) authority_end = url.size();
  absl::string_view authority = url.substr(host_begin, authority_end - host_begin);
  size_t at = authority.rfind('@');
  size_t host_at = at == absl::string_view::npos ? 0 : at + 1;
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  bool has_port = colon != absl::string_view::npos && colon >= host_at &&
                  (bracket == absl::string_view::npos || colon > bracket);
  if (has_port) {
    forms.push_back(absl::StrCat(url.substr(0, host_begin + colon), url.substr(authority_end)));
  } else if (scheme == "https" || scheme == "http") {
    forms.push_back(absl::StrCat(url.substr(0, authority_end), scheme == "https" ? ":443" : ":80",
                                 url.substr(authority_end)));
  }
  return forms;
}

}  // namespace

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status VerifyOmnirouteSignature(absl::string_view header, absl::string_view body,
                                      absl::string_view secret, int64_t now_unix_seconds) {
  constexpr absl::string_view kName = "Omniroute-Signature";
  if (header.empty()) return Unauthenticated(kName, "missing");
  std::string t;
  std::vector<absl::string_view> v1;
  for (absl::string_view item : absl::StrSplit(header, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (absl::ConsumePrefix(&item, "t=")) {
      if (!t.empty()) return Unauthenticated(kName, "more than one t=");
      t = std::string(item);
    } else if (absl::ConsumePrefix(&item, "v1=")) {
      v1.push_back(item);
    }  // other schemes (v0=, ...) are not ours to check
  }
  int64_t ts = 0;
  if (t.empty() || t.size() > 12 || !std::all_of(t.begin(), t.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(t, &ts)) {
    return Unauthenticated(kName, "needs t=<unix seconds>");
  }
  if (v1.empty()) return Unauthenticated(kName, "needs v1=<hex HMAC-SHA256>");
  if (ts < now_unix_seconds - kSignatureWindowSeconds ||
      ts > now_unix_seconds + kSignatureWindowSeconds) {
    return Unauthenticated(kName, absl::StrCat("t=", ts, " is more than ", kSignatureWindowSeconds,
                                               " s from the server's time ", now_unix_seconds));
  }
  std::string expected = HmacSha256Hex(secret, absl::StrCat(t, ".", body));
  bool match = false;
  for (absl::string_view candidate : v1) {
    match |= ConstantTimeEquals(absl::AsciiStrToLower(candidate), expected);
  }
  if (!match) return Unauthenticated(kName, "no v1 signature matches the body and the secret");
  return absl::OkStatus();
}

std::string TwilioSignature(absl::string_view auth_token, absl::string_view url,
                            std::vector<std::pair<std::string, std::string>> params) {
  std::sort(params.begin(), params.end());
  params.erase(std::unique(params.begin(), params.end()), params.end());
  std::string data(url);
  for (const auto& [name, value] : params) absl::StrAppend(&data, name, value);
  return HmacSha1Base64(auth_token, data);
}

absl::Status VerifyTwilioSignature(absl::string_view header, absl::string_view url,
                                   const std::vector<std::pair<std::string, std::string>>& params,
                                   absl::string_view auth_token) {
  constexpr absl::string_view kName = "X-Twilio-Signature";
  if (header.empty()) return Unauthenticated(kName, "missing");
  bool match = false;
  for (const std::string& form : TwilioUrlForms(url)) {
    match |= ConstantTimeEquals(header, TwilioSignature(auth_token, form, params));
  }
  if (!match) {
    return Unauthenticated(kName,
                           "does not match the parameters, the source's public_url and auth token");
  }
  return absl::OkStatus();
}

absl::Status VerifyMailgunSignature(absl::string_view timestamp, absl::string_view token,
                                    absl::string_view signature, absl::string_view signing_key) {
  if (timestamp.empty() || token.empty() || signature.empty()) {
    return Unauthenticated("signature",
                           "Mailgun's form fields timestamp, token and signature "
                           "are required");
  }
  if (!ConstantTimeEquals(absl::AsciiStrToLower(signature),
                          HmacSha256Hex(signing_key, absl::StrCat(timestamp, token)))) {
    return Unauthenticated("signature", "does not match timestamp, token and the signing key");
  }
  return absl::OkStatus();
}

}  // namespace omniroute::intake
