#pragma once

#include "omniroute/v1/classification.grpc.pb.h"
#include "services/classification/config_cache.h"
#include "services/classification/model_store.h"
#include "services/common/grpc/auth.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::classification {

// gRPC edge of classification: a dry run of the tenant's current rules.
class ClassificationService final : public v1::Classifier::Service {
 public:
  ClassificationService(Authenticator* auth, redis::Pool* pool, ConfigCache* configs,
                        const ModelStore* models = nullptr)
      : auth_(auth), pool_(pool), configs_(configs), models_(models) {}

  grpc::Status Classify(grpc::ServerContext* ctx, const v1::ClassifyRequest* req,
                        v1::ClassifyResponse* resp) override;

 private:
  Authenticator* auth_;
  redis::Pool* pool_;
  ConfigCache* configs_;
  const ModelStore* models_;
};

}  // namespace omniroute::classification
