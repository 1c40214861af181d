#pragma once

#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace omniroute {

// grpc.reflection.v1.ServerReflection, answered from the descriptors linked into the binary
// (the omniroute.v1 services, grpc.health.v1 and the reflection services themselves). gRPC's
// plugin serves the older grpc.reflection.v1alpha beside it. Callback API: every answer is
// computed on the thread that read the request, without Redis or locks.
class ReflectionV1Service final : public grpc::reflection::v1::ServerReflection::CallbackService {
 public:
  // `services`: the fully qualified names list_services reports.
  explicit ReflectionV1Service(std::vector<std::string> services);

  grpc::ServerBidiReactor<grpc::reflection::v1::ServerReflectionRequest,
                          grpc::reflection::v1::ServerReflectionResponse>*
  ServerReflectionInfo(grpc::CallbackServerContext* ctx) override;

  // The answer to one request; `sent` holds the files this stream has sent already.
  grpc::reflection::v1::ServerReflectionResponse Answer(
      const grpc::reflection::v1::ServerReflectionRequest& req,
      std::vector<std::string>* sent) const;

 private:
  std::vector<std::string> services_;
};

}  // namespace omniroute
