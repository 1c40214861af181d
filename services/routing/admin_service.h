#pragma once

#include "omniroute/v1/admin.grpc.pb.h"
#include "services/common/grpc/auth.h"
#include "services/routing/routing_engine.h"

namespace omniroute::routing {

// gRPC edge of the Admin API (queues, tenant config), validated on write.
class AdminService final : public v1::Admin::Service {
 public:
  AdminService(Authenticator* auth, RoutingEngine* engine) : auth_(auth), engine_(engine) {}

  grpc::Status PutQueue(grpc::ServerContext* ctx, const v1::PutQueueRequest* req,
                        v1::PutQueueResponse* resp) override;
  grpc::Status GetQueue(grpc::ServerContext* ctx, const v1::GetQueueRequest* req,
                        v1::GetQueueResponse* resp) override;
  grpc::Status ListQueues(grpc::ServerContext* ctx, const v1::ListQueuesRequest* req,
                          v1::ListQueuesResponse* resp) override;
  grpc::Status DeleteQueue(grpc::ServerContext* ctx, const v1::DeleteQueueRequest* req,
                           v1::DeleteQueueResponse* resp) override;
  grpc::Status PutTenantConfig(grpc::ServerContext* ctx, const v1::PutTenantConfigRequest* req,
                               v1::PutTenantConfigResponse* resp) override;
  grpc::Status GetTenantConfig(grpc::ServerContext* ctx, const v1::GetTenantConfigRequest* req,
                               v1::GetTenantConfigResponse* resp) override;

 private:
  Authenticator* auth_;
  RoutingEngine* engine_;
};

}  // namespace omniroute::routing
