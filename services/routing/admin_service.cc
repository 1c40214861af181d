#include "services/routing/admin_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/common/log/log.h"
#include "services/common/tenant_config.h"
#include "services/common/validation.h"

namespace omniroute::routing {

grpc::ServerUnaryReactor* AdminService::PutQueue(grpc::CallbackServerContext* ctx,
                                                 const v1::PutQueueRequest* req,
                                                 v1::PutQueueResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoPutQueue(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* AdminService::GetQueue(grpc::CallbackServerContext* ctx,
                                                 const v1::GetQueueRequest* req,
                                                 v1::GetQueueResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoGetQueue(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* AdminService::ListQueues(grpc::CallbackServerContext* ctx,
                                                   const v1::ListQueuesRequest* req,
                                                   v1::ListQueuesResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoListQueues(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* AdminService::DeleteQueue(grpc::CallbackServerContext* ctx,
                                                    const v1::DeleteQueueRequest* req,
                                                    v1::DeleteQueueResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoDeleteQueue(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* AdminService::PutTenantConfig(grpc::CallbackServerContext* ctx,
                                                        const v1::PutTenantConfigRequest* req,
                                                        v1::PutTenantConfigResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoPutTenantConfig(*ctx, *req, resp); });
}

grpc::ServerUnaryReactor* AdminService::GetTenantConfig(grpc::CallbackServerContext* ctx,
                                                        const v1::GetTenantConfigRequest* req,
                                                        v1::GetTenantConfigResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoGetTenantConfig(*ctx, *req, resp); });
}

grpc::Status AdminService::DoPutQueue(const grpc::CallbackServerContext& ctx,
                                      const v1::PutQueueRequest& req, v1::PutQueueResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateQueue(req.queue()); !st.ok()) return ToGrpc(st);
  v1::Queue q = QueueWithDefaults(req.queue());
  if (!q.overflow_queue().empty()) {
    auto over = engine_->GetQueue(principal->tenant, q.overflow_queue());
    if (!over.ok()) {
      return ToGrpc(over.status().code() == absl::StatusCode::kNotFound
                        ? absl::InvalidArgumentError(absl::StrCat(
                              "queue.overflow_queue: no queue named '", q.overflow_queue(), "'"))
                        : over.status());
    }
  }
  for (int i = 0; i < q.steps_size(); ++i) {
    for (int k = 0; k < q.steps(i).add_queues_size(); ++k) {
      const std::string& name = q.steps(i).add_queues(k);
      auto added = engine_->GetQueue(principal->tenant, name);
      if (!added.ok()) {
        return ToGrpc(
            added.status().code() == absl::StatusCode::kNotFound
                ? absl::InvalidArgumentError(absl::StrCat("queue.steps[", i, "].add_queues[", k,
                                                          "]: no queue named '", name, "'"))
                : added.status());
      }
    }
  }
  auto r = engine_->PutQueue(principal->tenant, q);
  if (!r.ok()) return ToGrpc(r.status());
  Audit(ctx, *principal, absl::StrCat("queue ", q.name()));
  *resp->mutable_queue() = std::move(q);
  return grpc::Status::OK;
}

grpc::Status AdminService::DoGetQueue(const grpc::CallbackServerContext& ctx,
                                      const v1::GetQueueRequest& req, v1::GetQueueResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateName("name", req.name()); !st.ok()) return ToGrpc(st);
  auto q = engine_->GetQueue(principal->tenant, req.name());
  if (!q.ok()) return ToGrpc(q.status());
  *resp->mutable_queue() = std::move(*q);
  return grpc::Status::OK;
}

grpc::Status AdminService::DoListQueues(const grpc::CallbackServerContext& ctx,
                                        const v1::ListQueuesRequest& req,
                                        v1::ListQueuesResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  auto qs = engine_->ListQueues(principal->tenant);
  if (!qs.ok()) return ToGrpc(qs.status());
  for (auto& q : *qs) *resp->add_queues() = std::move(q);
  return grpc::Status::OK;
}

grpc::Status AdminService::DoDeleteQueue(const grpc::CallbackServerContext& ctx,
                                         const v1::DeleteQueueRequest& req,
                                         v1::DeleteQueueResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateName("name", req.name()); !st.ok()) return ToGrpc(st);
  auto deleted = engine_->DeleteQueue(principal->tenant, req.name());
  if (deleted.ok()) Audit(ctx, *principal, absl::StrCat("queue ", req.name()));
  return ToGrpc(deleted);
}

grpc::Status AdminService::DoPutTenantConfig(const grpc::CallbackServerContext& ctx,
                                             const v1::PutTenantConfigRequest& req,
                                             v1::PutTenantConfigResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  auto queues = engine_->ListQueues(principal->tenant);
  if (!queues.ok()) return ToGrpc(queues.status());
  std::set<std::string> names;
  for (const auto& q : *queues) names.insert(q.name());
  if (auto st = ValidateTenantConfig(req.config(), names); !st.ok()) return ToGrpc(st);
  auto written = engine_->PutConfig(principal->tenant, req.config());
  if (!written.ok()) return ToGrpc(written.status());
  Audit(ctx, *principal, absl::StrCat("tenant config version ", written->version()));
  *resp->mutable_config() = std::move(*written);
  return grpc::Status::OK;
}

grpc::Status AdminService::DoGetTenantConfig(const grpc::CallbackServerContext& ctx,
                                             const v1::GetTenantConfigRequest& req,
                                             v1::GetTenantConfigResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  auto config = engine_->GetConfig(principal->tenant);
  if (!config.ok()) return ToGrpc(config.status());
  *resp->mutable_config() = std::move(*config);
  return grpc::Status::OK;
}

void AdminService::Audit(const grpc::CallbackServerContext& ctx, const Principal& principal,
                         absl::string_view what) {
  const RpcRoles* row = RolesOfCall(ctx);  // set: Authorize refuses calls without it
  absl::string_view method = row == nullptr ? "unknown" : row->method;
  method = method.substr(method.rfind('/') + 1);  // "PutQueue": a bounded label
  log::Info("admin change", {{"tenant", principal.tenant},
                             {"method", method},
                             {"object", what},
                             {"key_id", principal.key_id},
                             {"key_name", principal.key_name}});
  metrics_->admin_changes.Add({{"tenant", principal.tenant}, {"method", std::string(method)}})
      .Increment();
}

}  // namespace omniroute::routing
