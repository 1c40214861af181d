#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>

#include "omniroute/v1/admin.grpc.pb.h"
#include "services/common/bounded_executor.h"
#include "services/common/grpc/auth.h"
#include "services/common/inbound_sources.h"
#include "services/routing/routing_engine.h"
#include "services/routing/routing_metrics.h"
#include "services/webhooks/webhook_store.h"

namespace omniroute::routing {

// gRPC edge of the Admin API (queues, tenant config, webhooks), validated on write. A callback
// service whose calls run on the bounded executor, like RoutingService's. Every change it makes
// is audited: a log line naming the key that made it and omniroute_admin_changes_total. The
// webhook calls are in admin_webhooks.cc.
class AdminService final : public v1::Admin::CallbackService {
 public:
  AdminService(Authenticator* auth, RoutingEngine* engine, webhooks::WebhookStore* webhooks,
               RoutingMetrics* metrics, BoundedExecutor* executor)
      : auth_(auth), engine_(engine), webhooks_(webhooks), metrics_(metrics), executor_(executor) {}

  grpc::ServerUnaryReactor* PutQueue(grpc::CallbackServerContext* ctx,
                                     const v1::PutQueueRequest* req,
                                     v1::PutQueueResponse* resp) override;
  grpc::ServerUnaryReactor* GetQueue(grpc::CallbackServerContext* ctx,
                                     const v1::GetQueueRequest* req,
                                     v1::GetQueueResponse* resp) override;
  grpc::ServerUnaryReactor* ListQueues(grpc::CallbackServerContext* ctx,
                                       const v1::ListQueuesRequest* req,
                                       v1::ListQueuesResponse* resp) override;
  grpc::ServerUnaryReactor* DeleteQueue(grpc::CallbackServerContext* ctx,
                                        const v1::DeleteQueueRequest* req,
                                        v1::DeleteQueueResponse* resp) override;
  grpc::ServerUnaryReactor* PutTenantConfig(grpc::CallbackServerContext* ctx,
                                            const v1::PutTenantConfigRequest* req,
                                            v1::PutTenantConfigResponse* resp) override;
  grpc::ServerUnaryReactor* GetTenantConfig(grpc::CallbackServerContext* ctx,
                                            const v1::GetTenantConfigRequest* req,
                                            v1::GetTenantConfigResponse* resp) override;
  // Sources of provider webhooks (admin_inbound.cc); UNAVAILABLE until set_inbound_sources.
  void set_inbound_sources(InboundSourceStore* store) { inbound_ = store; }
  grpc::ServerUnaryReactor* PutInboundSource(grpc::CallbackServerContext* ctx,
                                             const v1::PutInboundSourceRequest* req,
                                             v1::PutInboundSourceResponse* resp) override;
  grpc::ServerUnaryReactor* ListInboundSources(grpc::CallbackServerContext* ctx,
                                               const v1::ListInboundSourcesRequest* req,
                                               v1::ListInboundSourcesResponse* resp) override;
  grpc::ServerUnaryReactor* DeleteInboundSource(grpc::CallbackServerContext* ctx,
                                                const v1::DeleteInboundSourceRequest* req,
                                                v1::DeleteInboundSourceResponse* resp) override;
  // What-if (admin_whatif.cc). RunWhatIf is UNIMPLEMENTED until set_what_if gives the replay
  // (it lives outside the routing library: services/whatif).
  using WhatIfRunner =
      std::function<absl::StatusOr<v1::RunWhatIfResponse>(const v1::RunWhatIfRequest&)>;
  void set_what_if(WhatIfRunner runner) { what_if_ = std::move(runner); }
  grpc::ServerUnaryReactor* ExportWorkload(grpc::CallbackServerContext* ctx,
                                           const v1::ExportWorkloadRequest* req,
                                           v1::ExportWorkloadResponse* resp) override;
  grpc::ServerUnaryReactor* RunWhatIf(grpc::CallbackServerContext* ctx,
                                      const v1::RunWhatIfRequest* req,
                                      v1::RunWhatIfResponse* resp) override;
  grpc::ServerUnaryReactor* PutWebhook(grpc::CallbackServerContext* ctx,
                                       const v1::PutWebhookRequest* req,
                                       v1::PutWebhookResponse* resp) override;
  grpc::ServerUnaryReactor* GetWebhook(grpc::CallbackServerContext* ctx,
                                       const v1::GetWebhookRequest* req,
                                       v1::GetWebhookResponse* resp) override;
  grpc::ServerUnaryReactor* ListWebhooks(grpc::CallbackServerContext* ctx,
                                         const v1::ListWebhooksRequest* req,
                                         v1::ListWebhooksResponse* resp) override;
  grpc::ServerUnaryReactor* DeleteWebhook(grpc::CallbackServerContext* ctx,
                                          const v1::DeleteWebhookRequest* req,
                                          v1::DeleteWebhookResponse* resp) override;
  grpc::ServerUnaryReactor* RotateWebhookSecret(grpc::CallbackServerContext* ctx,
                                                const v1::RotateWebhookSecretRequest* req,
                                                v1::RotateWebhookSecretResponse* resp) override;
  grpc::ServerUnaryReactor* ListWebhookDeadLetters(
      grpc::CallbackServerContext* ctx, const v1::ListWebhookDeadLettersRequest* req,
      v1::ListWebhookDeadLettersResponse* resp) override;
  grpc::ServerUnaryReactor* RedeliverWebhookDeadLetters(
      grpc::CallbackServerContext* ctx, const v1::RedeliverWebhookDeadLettersRequest* req,
      v1::RedeliverWebhookDeadLettersResponse* resp) override;
  grpc::ServerUnaryReactor* DeleteWebhookDeadLetters(
      grpc::CallbackServerContext* ctx, const v1::DeleteWebhookDeadLettersRequest* req,
      v1::DeleteWebhookDeadLettersResponse* resp) override;

 private:
  // The blocking bodies of the calls; they run on the executor.
  grpc::Status DoPutQueue(const grpc::CallbackServerContext& ctx, const v1::PutQueueRequest& req,
                          v1::PutQueueResponse* resp);
  grpc::Status DoGetQueue(const grpc::CallbackServerContext& ctx, const v1::GetQueueRequest& req,
                          v1::GetQueueResponse* resp);
  grpc::Status DoListQueues(const grpc::CallbackServerContext& ctx,
                            const v1::ListQueuesRequest& req, v1::ListQueuesResponse* resp);
  grpc::Status DoDeleteQueue(const grpc::CallbackServerContext& ctx,
                             const v1::DeleteQueueRequest& req, v1::DeleteQueueResponse* resp);
  grpc::Status DoPutTenantConfig(const grpc::CallbackServerContext& ctx,
                                 const v1::PutTenantConfigRequest& req,
                                 v1::PutTenantConfigResponse* resp);
  grpc::Status DoGetTenantConfig(const grpc::CallbackServerContext& ctx,
                                 const v1::GetTenantConfigRequest& req,
                                 v1::GetTenantConfigResponse* resp);
  grpc::Status DoPutWebhook(const grpc::CallbackServerContext& ctx,
                            const v1::PutWebhookRequest& req, v1::PutWebhookResponse* resp);
  grpc::Status DoGetWebhook(const grpc::CallbackServerContext& ctx,
                            const v1::GetWebhookRequest& req, v1::GetWebhookResponse* resp);
  grpc::Status DoListWebhooks(const grpc::CallbackServerContext& ctx,
                              const v1::ListWebhooksRequest& req, v1::ListWebhooksResponse* resp);
  grpc::Status DoDeleteWebhook(const grpc::CallbackServerContext& ctx,
                               const v1::DeleteWebhookRequest& req,
                               v1::DeleteWebhookResponse* resp);
  grpc::Status DoRotateWebhookSecret(const grpc::CallbackServerContext& ctx,
                                     const v1::RotateWebhookSecretRequest& req,
                                     v1::RotateWebhookSecretResponse* resp);
  grpc::Status DoListWebhookDeadLetters(const grpc::CallbackServerContext& ctx,
                                        const v1::ListWebhookDeadLettersRequest& req,
                                        v1::ListWebhookDeadLettersResponse* resp);
  grpc::Status DoRedeliverWebhookDeadLetters(const grpc::CallbackServerContext& ctx,
                                             const v1::RedeliverWebhookDeadLettersRequest& req,
                                             v1::RedeliverWebhookDeadLettersResponse* resp);
  grpc::Status DoDeleteWebhookDeadLetters(const grpc::CallbackServerContext& ctx,
                                          const v1::DeleteWebhookDeadLettersRequest& req,
                                          v1::DeleteWebhookDeadLettersResponse* resp);
  // Records a change the call in ctx made for `principal`: the structured log line "admin
  // change" (tenant, method, the key's id and name, never the key; `what` names the object
  // changed) and omniroute_admin_changes_total{tenant,method}.
  void Audit(const grpc::CallbackServerContext& ctx, const Principal& principal,
             absl::string_view what);

  Authenticator* auth_;
  RoutingEngine* engine_;
  webhooks::WebhookStore* webhooks_;
  RoutingMetrics* metrics_;
  BoundedExecutor* executor_;
  InboundSourceStore* inbound_ = nullptr;
  WhatIfRunner what_if_;
  std::atomic<bool> what_if_running_{false};
};

}  // namespace omniroute::routing
