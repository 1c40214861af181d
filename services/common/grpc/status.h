#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace omniroute {

// Error messages sent to clients are at most this long: a message quoting a huge input would
// otherwise ride in the grpc-message trailer, past what a client accepts in its headers.
inline constexpr size_t kMaxErrorMessageBytes = 512;

// `message`, cut to kMaxErrorMessageBytes at a UTF-8 character boundary with a note of its
// full length when longer.
std::string BoundedMessage(absl::string_view message);

// `status` with its message bounded (BoundedMessage); the code and details are kept.
grpc::Status BoundedStatus(const grpc::Status& status);

// absl and gRPC share status code numbers; the message (naming the bad field) is kept, bounded.
inline grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), BoundedMessage(s.message()));
}

// `value` for quoting in an error message: itself when short, else its first bytes (cut at a
// UTF-8 boundary) and its length, so an error never echoes unbounded input.
std::string QuoteInput(absl::string_view value, size_t max_bytes = 64);

}  // namespace omniroute
