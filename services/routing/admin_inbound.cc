// Admin RPCs of the sources of provider webhooks (PutInboundSource, ListInboundSources,
// DeleteInboundSource); intake serves the webhooks themselves (services/intake/webhooks.h).
#include "absl/strings/str_cat.h"
#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/common/validation.h"
#include "services/routing/admin_service.h"

namespace omniroute::routing {
namespace {

absl::Status NoStore() {
  return absl::UnavailableError("inbound sources are not served by this replica");
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::PutInboundSource(grpc::CallbackServerContext* ctx,
                                                         const v1::PutInboundSourceRequest* req,
                                                         v1::PutInboundSourceResponse* resp) {
  return ServeUnary(executor_, ctx, [this, ctx, req, resp]() -> grpc::Status {
    auto principal = auth_->Authorize(*ctx, req->tenant_id());
    if (!principal.ok()) return ToGrpc(principal.status());
    if (inbound_ == nullptr) return ToGrpc(NoStore());
    const v1::InboundSource& source = req->source();
    if (auto st = ValidateInboundSource(source); !st.ok()) return ToGrpc(st);
    if (!source.queue().empty()) {
      auto queue = engine_->GetQueue(principal->tenant, source.queue());
      if (!queue.ok()) {
        return ToGrpc(queue.status().code() == absl::StatusCode::kNotFound
                          ? absl::InvalidArgumentError(
                                absl::StrCat("source.queue: no queue named '", source.queue(), "'"))
                          : queue.status());
      }
    }
    auto stored = inbound_->Put(principal->tenant, source);
    if (!stored.ok()) return ToGrpc(stored.status());
    Audit(*ctx, *principal, absl::StrCat("inbound source ", source.name()));
    *resp->mutable_source() = std::move(*stored);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* AdminService::ListInboundSources(grpc::CallbackServerContext* ctx,
                                                           const v1::ListInboundSourcesRequest* req,
                                                           v1::ListInboundSourcesResponse* resp) {
  return ServeUnary(executor_, ctx, [this, ctx, req, resp]() -> grpc::Status {
    auto principal = auth_->Authorize(*ctx, req->tenant_id());
    if (!principal.ok()) return ToGrpc(principal.status());
    if (inbound_ == nullptr) return ToGrpc(NoStore());
    auto sources = inbound_->List(principal->tenant);
    if (!sources.ok()) return ToGrpc(sources.status());
    for (auto& s : *sources) *resp->add_sources() = std::move(s);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* AdminService::DeleteInboundSource(
    grpc::CallbackServerContext* ctx, const v1::DeleteInboundSourceRequest* req,
    v1::DeleteInboundSourceResponse* /*resp*/) {
  return ServeUnary(executor_, ctx, [this, ctx, req]() -> grpc::Status {
    auto principal = auth_->Authorize(*ctx, req->tenant_id());
    if (!principal.ok()) return ToGrpc(principal.status());
    if (inbound_ == nullptr) return ToGrpc(NoStore());
    if (auto st = ValidateName("name", req->name()); !st.ok()) return ToGrpc(st);
    if (auto st = inbound_->Delete(principal->tenant, req->name()); !st.ok()) return ToGrpc(st);
    Audit(*ctx, *principal, absl::StrCat("inbound source ", req->name()));
    return grpc::Status::OK;
  });
}

}  // namespace omniroute::routing
