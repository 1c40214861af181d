#include "services/common/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"

namespace omniroute {
namespace {

std::string Hmac(const EVP_MD* md, absl::string_view key, absl::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

}  // namespace

std::string HmacSha256Hex(absl::string_view key, absl::string_view message) {
  return absl::BytesToHexString(Hmac(EVP_sha256(), key, message));
}

std::string HmacSha1Base64(absl::string_view key, absl::string_view message) {
  return absl::Base64Escape(Hmac(EVP_sha1(), key, message));
}

}  // namespace omniroute
