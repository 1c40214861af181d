#include "services/common/grpc/status.h"

#include "absl/strings/str_cat.h"

namespace omniroute {
namespace {

// The longest prefix of `s` of at most `n` bytes that does not end inside a UTF-8 character.
absl::string_view Utf8Prefix(absl::string_view s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

std::string BoundedMessage(absl::string_view message) {
  if (message.size() <= kMaxErrorMessageBytes) return std::string(message);
  return absl::StrCat(Utf8Prefix(message, kMaxErrorMessageBytes - 48), "... (message cut, ",
                      message.size(), " bytes)");
}

grpc::Status BoundedStatus(const grpc::Status& status) {
  if (status.error_message().size() <= kMaxErrorMessageBytes) return status;
  return grpc::Status(status.error_code(), BoundedMessage(status.error_message()),
                      status.error_details());
}

std::string QuoteInput(absl::string_view value, size_t max_bytes) {
  if (value.size() <= max_bytes) return std::string(value);
  return absl::StrCat(Utf8Prefix(value, max_bytes), "... (", value.size(), " bytes)");
}

}  // namespace omniroute
