// AdminService: the webhook calls (webhooks out; the store is services/webhooks/webhook_store).
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/routing/admin_service.h"
#include "services/routing/page_tokens.h"
#include "services/webhooks/webhook_validation.h"

namespace omniroute::routing {
namespace {

constexpr int kMaxDeliveryIds = 100;

// The request's delivery ids, checked: 1..kMaxDeliveryIds, each well formed.
absl::StatusOr<std::vector<std::string>> DeliveryIds(
    const google::protobuf::RepeatedPtrField<std::string>& ids) {
  if (ids.empty() || ids.size() > kMaxDeliveryIds) {
    return absl::InvalidArgumentError(
        absl::StrCat("delivery_ids: give 1..", kMaxDeliveryIds, " ids (not ", ids.size(), ")"));
  }
  for (int i = 0; i < ids.size(); ++i) {
    auto st = webhooks::ValidateDeliveryId(absl::StrCat("delivery_ids[", i, "]"), ids[i]);
    if (!st.ok()) return st;
  }
  return std::vector<std::string>(ids.begin(), ids.end());
}

}  // namespace

#define OMNIROUTE_ADMIN_UNARY(Method)                                                   \
  grpc::ServerUnaryReactor* AdminService::Method(grpc::CallbackServerContext* ctx,      \
                                                 const v1::Method##Request* req,        \
                                                 v1::Method##Response* resp) {          \
    return ServeUnary(executor_, ctx,                                                   \
                      [this, ctx, req, resp] { return Do##Method(*ctx, *req, resp); }); \
  }
OMNIROUTE_ADMIN_UNARY(PutWebhook)
OMNIROUTE_ADMIN_UNARY(GetWebhook)
OMNIROUTE_ADMIN_UNARY(ListWebhooks)
OMNIROUTE_ADMIN_UNARY(DeleteWebhook)
OMNIROUTE_ADMIN_UNARY(RotateWebhookSecret)
OMNIROUTE_ADMIN_UNARY(ListWebhookDeadLetters)
OMNIROUTE_ADMIN_UNARY(RedeliverWebhookDeadLetters)
OMNIROUTE_ADMIN_UNARY(DeleteWebhookDeadLetters)
#undef OMNIROUTE_ADMIN_UNARY

grpc::Status AdminService::DoPutWebhook(const grpc::CallbackServerContext& ctx,
                                        const v1::PutWebhookRequest& req,
                                        v1::PutWebhookResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = webhooks::ValidateWebhook(req.webhook()); !st.ok()) return ToGrpc(st);
  auto written = webhooks_->Put(principal->tenant, req.webhook());
  if (!written.ok()) return ToGrpc(written.status());
  Audit(ctx, *principal, absl::StrCat("webhook ", written->webhook.id()));
  *resp->mutable_webhook() = std::move(written->webhook);
  resp->set_secret(std::move(written->secret));
  return grpc::Status::OK;
}

grpc::Status AdminService::DoGetWebhook(const grpc::CallbackServerContext& ctx,
                                        const v1::GetWebhookRequest& req,
                                        v1::GetWebhookResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = webhooks::ValidateWebhookId("id", req.id()); !st.ok()) return ToGrpc(st);
  auto w = webhooks_->Get(principal->tenant, req.id());
  if (!w.ok()) return ToGrpc(w.status());
  *resp->mutable_webhook() = std::move(*w);
  return grpc::Status::OK;
}

grpc::Status AdminService::DoListWebhooks(const grpc::CallbackServerContext& ctx,
                                          const v1::ListWebhooksRequest& req,
                                          v1::ListWebhooksResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  auto all = webhooks_->List(principal->tenant);
  if (!all.ok()) return ToGrpc(all.status());
  for (auto& w : *all) *resp->add_webhooks() = std::move(w);
  return grpc::Status::OK;
}

grpc::Status AdminService::DoDeleteWebhook(const grpc::CallbackServerContext& ctx,
                                           const v1::DeleteWebhookRequest& req,
                                           v1::DeleteWebhookResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = webhooks::ValidateWebhookId("id", req.id()); !st.ok()) return ToGrpc(st);
  auto deleted = webhooks_->Delete(principal->tenant, req.id());
  if (deleted.ok()) Audit(ctx, *principal, absl::StrCat("webhook ", req.id()));
  return ToGrpc(deleted);
}

grpc::Status AdminService::DoRotateWebhookSecret(const grpc::CallbackServerContext& ctx,
                                                 const v1::RotateWebhookSecretRequest& req,
                                                 v1::RotateWebhookSecretResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = webhooks::ValidateWebhookId("id", req.id()); !st.ok()) return ToGrpc(st);
  if (req.previous_secret_seconds() < 0 ||
      req.previous_secret_seconds() > webhooks::kMaxPreviousSecretSeconds) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("previous_secret_seconds: must be 0..", webhooks::kMaxPreviousSecretSeconds)));
  }
  auto written =
      webhooks_->RotateSecret(principal->tenant, req.id(), req.previous_secret_seconds());
  if (!written.ok()) return ToGrpc(written.status());
  Audit(ctx, *principal, absl::StrCat("webhook ", req.id(), " secret"));
  *resp->mutable_webhook() = std::move(written->webhook);
  resp->set_secret(std::move(written->secret));
  return grpc::Status::OK;
}

grpc::Status AdminService::DoListWebhookDeadLetters(const grpc::CallbackServerContext& ctx,
                                                    const v1::ListWebhookDeadLettersRequest& req,
                                                    v1::ListWebhookDeadLettersResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  int size = 0;
  int64_t before = 0;
  if (auto st =
          ReadPaging(req.page_size(), req.page_token(), ParseDeadLetterPageToken, &size, &before);
      !st.ok()) {
    return ToGrpc(st);
  }
  auto page = webhooks_->ListDeadLetters(principal->tenant, size, before);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& d : page->dead_letters) *resp->add_dead_letters() = std::move(d);
  if (page->next_before > 0) resp->set_next_page_token(DeadLetterPageToken(page->next_before));
  resp->set_total(page->total);
  return grpc::Status::OK;
}

grpc::Status AdminService::DoRedeliverWebhookDeadLetters(
    const grpc::CallbackServerContext& ctx, const v1::RedeliverWebhookDeadLettersRequest& req,
    v1::RedeliverWebhookDeadLettersResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  auto ids = DeliveryIds(req.delivery_ids());
  if (!ids.ok()) return ToGrpc(ids.status());
  auto done = webhooks_->Redeliver(principal->tenant, *ids);
  if (!done.ok()) return ToGrpc(done.status());
  if (done->redelivered_size() > 0) {
    Audit(ctx, *principal, absl::StrCat(done->redelivered_size(), " dead letters"));
  }
  *resp = std::move(*done);
  return grpc::Status::OK;
}

grpc::Status AdminService::DoDeleteWebhookDeadLetters(
    const grpc::CallbackServerContext& ctx, const v1::DeleteWebhookDeadLettersRequest& req,
    v1::DeleteWebhookDeadLettersResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  auto ids = DeliveryIds(req.delivery_ids());
  if (!ids.ok()) return ToGrpc(ids.status());
  auto deleted = webhooks_->DeleteDeadLetters(principal->tenant, *ids);
  if (!deleted.ok()) return ToGrpc(deleted.status());
  if (*deleted > 0) Audit(ctx, *principal, absl::StrCat(*deleted, " dead letters"));
  resp->set_deleted(*deleted);
  return grpc::Status::OK;
}

}  // namespace omniroute::routing
