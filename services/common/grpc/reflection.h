#pragma once

#include <memory>
#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace omniroute {

// gRPC server reflection, both versions: grpc.reflection.v1 (what current grpcurl, grpc-js and
// Postman ask first) and grpc.reflection.v1alpha (older clients). Both answer from the published
// descriptors (services/common/grpc/published.h), comments included, not from the ones linked
// into the binary, so tools see the API as the .proto files declare it. Callback API: every
// answer is computed on the thread that read the request, without Redis or locks.
template <typename Api>
class ReflectionService final : public Api::ServerReflection::CallbackService {
 public:
  using Request = typename Api::ServerReflectionRequest;
  using Response = typename Api::ServerReflectionResponse;

  // `services`: the fully qualified names list_services reports.
  explicit ReflectionService(std::vector<std::string> services) : services_(std::move(services)) {}

  grpc::ServerBidiReactor<Request, Response>* ServerReflectionInfo(
      grpc::CallbackServerContext* ctx) override;

  // The answer to one request; `sent` holds the files this stream has sent already.
  Response Answer(const Request& req, std::vector<std::string>* sent) const;

 private:
  std::vector<std::string> services_;
};

struct ReflectionV1 {
  using ServerReflection = grpc::reflection::v1::ServerReflection;
  using ServerReflectionRequest = grpc::reflection::v1::ServerReflectionRequest;
  using ServerReflectionResponse = grpc::reflection::v1::ServerReflectionResponse;
};
struct ReflectionV1Alpha {
  using ServerReflection = grpc::reflection::v1alpha::ServerReflection;
  using ServerReflectionRequest = grpc::reflection::v1alpha::ServerReflectionRequest;
  using ServerReflectionResponse = grpc::reflection::v1alpha::ServerReflectionResponse;
};
extern template class ReflectionService<ReflectionV1>;
extern template class ReflectionService<ReflectionV1Alpha>;

}  // namespace omniroute
