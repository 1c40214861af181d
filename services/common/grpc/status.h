#pragma once

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace omniroute {

// absl and gRPC share status code numbers; the message (naming the bad field) is kept.
inline grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace omniroute
