#pragma once

#include "omniroute/v1/classification.grpc.pb.h"
#include "services/classification/classifier_worker.h"
#include "services/classification/config_cache.h"
#include "services/classification/model_store.h"
#include "services/common/bounded_executor.h"
#include "services/common/clock.h"
#include "services/common/grpc/auth.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"

namespace omniroute::classification {

// gRPC edge of classification: a dry run of the tenant's current rules, and agents'
// corrections (feedback for retraining).
class ClassificationService final : public v1::Classifier::CallbackService {
 public:
  struct Deps {
    Authenticator* auth;
    redis::Pool* pool;
    ConfigCache* configs;
    ModelStore* models;  // may be null: no model
    const redis::Scripts* scripts;
    const Clock* clock;
    ClassificationMetrics* metrics;
    int64_t event_max_len;
    BoundedExecutor* executor;  // runs each call's work (ServeUnary)
  };
  explicit ClassificationService(Deps deps) : d_(deps) {}

  grpc::ServerUnaryReactor* Classify(grpc::CallbackServerContext* ctx,
                                     const v1::ClassifyRequest* req,
                                     v1::ClassifyResponse* resp) override;
  grpc::ServerUnaryReactor* Reclassify(grpc::CallbackServerContext* ctx,
                                       const v1::ReclassifyRequest* req,
                                       v1::ReclassifyResponse* resp) override;

 private:
  grpc::Status DoClassify(const grpc::ServerContextBase& ctx, const v1::ClassifyRequest& req,
                          v1::ClassifyResponse* resp);
  grpc::Status DoReclassify(const grpc::ServerContextBase& ctx, const v1::ReclassifyRequest& req,
                            v1::ReclassifyResponse* resp);

  Deps d_;
};

}  // namespace omniroute::classification
