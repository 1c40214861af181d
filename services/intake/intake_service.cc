#include "services/intake/intake_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/common/log/log.h"
#include "services/common/validation.h"
#include "services/intake/submit_path.h"

namespace omniroute::intake {

Submission FromProto(const v1::SubmitInteractionRequest& req) {
  Submission s;
  s.channel = req.channel();
  s.customer_id = req.customer_id();
  s.subject = req.subject();
  s.body = req.body();
  s.attributes.insert(req.attributes().begin(), req.attributes().end());
  s.idempotency_key = req.idempotency_key();
  s.priority = req.priority();
  s.queue = req.queue();
  s.preferred_agent_id = req.preferred_agent_id();
  return s;
}

grpc::ServerUnaryReactor* IntakeService::SubmitInteraction(grpc::CallbackServerContext* ctx,
                                                           const v1::SubmitInteractionRequest* req,
                                                           v1::SubmitInteractionResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoSubmitInteraction(*ctx, *req, resp); });
}

grpc::Status IntakeService::DoSubmitInteraction(const Ctx& ctx,
                                                const v1::SubmitInteractionRequest& req,
                                                v1::SubmitInteractionResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  auto r = SubmitOne(*store_, *metrics_, principal->tenant, FromProto(req), DeadlineUnixMs(ctx));
  if (!r.ok()) return ToGrpc(r.status());
  resp->set_interaction_id(r->interaction_id);
  resp->set_created(r->created);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* IntakeService::SubmitInteractions(
    grpc::CallbackServerContext* ctx, const v1::SubmitInteractionsRequest* req,
    v1::SubmitInteractionsResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoSubmitInteractions(*ctx, *req, resp); });
}

grpc::Status IntakeService::DoSubmitInteractions(const Ctx& ctx,
                                                 const v1::SubmitInteractionsRequest& req,
                                                 v1::SubmitInteractionsResponse* resp) {
  auto principal = auth_->Authorize(ctx, "");
  if (!principal.ok()) return ToGrpc(principal.status());
  int n = req.interactions_size();
  if (n == 0 || n > kMaxBatch) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("interactions: must hold 1..", kMaxBatch, " items, got ", n)));
  }
  std::vector<Submission> subs(n);
  std::vector<absl::Status> item_status(n);
  std::vector<const Submission*> valid;
  std::vector<int> valid_index;
  for (int i = 0; i < n; ++i) {
    const auto& item = req.interactions(i);
    subs[i] = FromProto(item);
    if (!item.tenant_id().empty() && item.tenant_id() != principal->tenant) {
      item_status[i] = absl::PermissionDeniedError(
          absl::StrCat("interactions[", i, "].tenant_id: not the API key's tenant"));
    } else if (auto st = ValidateSubmission(subs[i]); !st.ok()) {
      item_status[i] =
          absl::InvalidArgumentError(absl::StrCat("interactions[", i, "].", st.message()));
    } else {
      valid.push_back(&subs[i]);
      valid_index.push_back(i);
      continue;
    }
    metrics_->Submitted(principal->tenant, ChannelLabel(subs[i].channel),
                        FailureOutcome(item_status[i]));
  }
  std::vector<absl::StatusOr<SubmitOutcome>> stored;
  if (!valid.empty()) stored = store_->Submit(principal->tenant, valid, DeadlineUnixMs(ctx));
  std::vector<const SubmitOutcome*> outcome(n, nullptr);
  for (size_t k = 0; k < stored.size(); ++k) {
    int i = valid_index[k];
    if (stored[k].ok()) {
      outcome[i] = &*stored[k];
      metrics_->Submitted(principal->tenant, ChannelLabel(subs[i].channel),
                          stored[k]->created ? "created" : "duplicate");
    } else {
      item_status[i] =
          absl::Status(stored[k].status().code(),
                       absl::StrCat("interactions[", i, "].", stored[k].status().message()));
      metrics_->Submitted(principal->tenant, ChannelLabel(subs[i].channel),
                          FailureOutcome(stored[k].status()));
    }
  }
  for (int i = 0; i < n; ++i) {
    auto* r = resp->add_results();
    r->set_code(static_cast<int>(item_status[i].code()));
    r->set_message(std::string(item_status[i].message()));
    if (outcome[i] != nullptr) {
      r->set_interaction_id(outcome[i]->interaction_id);
      r->set_created(outcome[i]->created);
    }
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* IntakeService::CancelInteraction(grpc::CallbackServerContext* ctx,
                                                           const v1::CancelInteractionRequest* req,
                                                           v1::CancelInteractionResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoCancelInteraction(*ctx, *req, resp); });
}

grpc::Status IntakeService::DoCancelInteraction(const Ctx& ctx,
                                                const v1::CancelInteractionRequest& req,
                                                v1::CancelInteractionResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateInteractionId("interaction_id", req.interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (auto st = ValidateText("reason", req.reason(), kMaxReasonBytes); !st.ok()) {
    return ToGrpc(st);
  }
  std::string reason = req.reason().empty() ? "customer_abandoned" : req.reason();
  IntakeStore::Abandoned abandoned;
  auto state = store_->Cancel(principal->tenant, req.interaction_id(), reason, &abandoned);
  metrics_->cancellations
      .Add({{"tenant", principal->tenant}, {"outcome", state.ok() ? "ok" : "error"}})
      .Increment();
  if (!state.ok()) return ToGrpc(state.status());
  if (!abandoned.queue.empty()) {
    metrics_->abandoned
        .Add({{"tenant", principal->tenant},
              {"queue", abandoned.queue},
              {"channel", ChannelLabel(abandoned.channel)}})
        .Increment();
  }
  log::Info("canceled", {{"interaction_id", req.interaction_id()}, {"reason", reason}});
  resp->set_state(*state);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* IntakeService::UpsertCustomer(grpc::CallbackServerContext* ctx,
                                                        const v1::UpsertCustomerRequest* req,
                                                        v1::UpsertCustomerResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoUpsertCustomer(*ctx, *req, resp); });
}

grpc::Status IntakeService::DoUpsertCustomer(const Ctx& ctx, const v1::UpsertCustomerRequest& req,
                                             v1::UpsertCustomerResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  const auto& c = req.customer();
  auto invalid = [](const std::string& m) { return ToGrpc(absl::InvalidArgumentError(m)); };
  if (c.customer_id().empty()) return invalid("customer.customer_id: is required");
  if (auto st = ValidateExternalId("customer.customer_id", c.customer_id()); !st.ok()) {
    return ToGrpc(st);
  }
  if (!c.tier().empty()) {
    if (auto st = ValidateName("customer.tier", c.tier()); !st.ok()) return ToGrpc(st);
  }
  if (!(c.annual_value() >= 0 && c.annual_value() <= 1e12)) {
    return invalid("customer.annual_value: must be 0..1e12");
  }
  if (!(c.churn_risk() >= 0 && c.churn_risk() <= 1)) {
    return invalid("customer.churn_risk: must be 0..1");
  }
  if (c.renewal_date_ms() < 0) return invalid("customer.renewal_date_ms: must be >= 0");
  if (!c.preferred_agent_id().empty()) {
    if (auto st = ValidateExternalId("customer.preferred_agent_id", c.preferred_agent_id());
        !st.ok()) {
      return ToGrpc(st);
    }
  }
  auto boost = store_->UpsertCustomer(principal->tenant, c);
  if (!boost.ok()) return ToGrpc(boost.status());
  resp->set_value_boost_seconds(*boost);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* IntakeService::GetInteraction(grpc::CallbackServerContext* ctx,
                                                        const v1::GetInteractionRequest* req,
                                                        v1::GetInteractionResponse* resp) {
  return ServeUnary(executor_, ctx,
                    [this, ctx, req, resp] { return DoGetInteraction(*ctx, *req, resp); });
}

grpc::Status IntakeService::DoGetInteraction(const Ctx& ctx, const v1::GetInteractionRequest& req,
                                             v1::GetInteractionResponse* resp) {
  auto principal = auth_->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (auto st = ValidateInteractionId("interaction_id", req.interaction_id()); !st.ok()) {
    return ToGrpc(st);
  }
  int64_t position = 0;
  auto ix = store_->Get(principal->tenant, req.interaction_id(), &position);
  if (!ix.ok()) return ToGrpc(ix.status());
  *resp->mutable_interaction() = std::move(*ix);
  resp->set_queue_position(position);
  return grpc::Status::OK;
}

}  // namespace omniroute::intake
