#include "services/classification/classification_service.h"

#include "absl/strings/str_cat.h"
#include "services/classification/classifier_worker.h"
#include "services/classification/feedback.h"
#include "services/classification/rules.h"
#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/common/keys.h"
#include "services/common/validation.h"

namespace omniroute::classification {

grpc::ServerUnaryReactor* ClassificationService::Classify(grpc::CallbackServerContext* ctx,
                                                          const v1::ClassifyRequest* req,
                                                          v1::ClassifyResponse* resp) {
  return ServeUnary(d_.executor, ctx,
                    [this, ctx, req, resp] { return DoClassify(*ctx, *req, resp); });
}

grpc::Status ClassificationService::DoClassify(const grpc::ServerContextBase& ctx,
                                               const v1::ClassifyRequest& req,
                                               v1::ClassifyResponse* resp) {
  auto principal = d_.auth->Authorize(ctx, req.tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (req.channel() <= 0 || req.channel() > 7) {
    return ToGrpc(absl::InvalidArgumentError("channel: is required"));
  }
  if (auto st = ValidateText("subject", req.subject(), 1000); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateText("body", req.body(), 16384); !st.ok()) return ToGrpc(st);
  auto conn = d_.pool->Acquire();
  if (!conn.ok()) return ToGrpc(absl::UnavailableError(conn.status().message()));
  auto config = d_.configs->Get(**conn, principal->tenant);
  if (!config.ok()) return ToGrpc(config.status());
  ClassifyInput in;
  in.channel = req.channel();
  in.subject = req.subject();
  in.body = req.body();
  if (auto st = ValidateAttributes(req.attributes()); !st.ok()) return ToGrpc(st);
  in.attributes.insert(req.attributes().begin(), req.attributes().end());
  in.now_ms = d_.clock->NowMs();
  if (!req.customer_id().empty()) {
    if (auto st = ValidateExternalId("customer_id", req.customer_id()); !st.ok()) {
      return ToGrpc(st);
    }
    in.customer_id = req.customer_id();
    auto profile = (*conn)->Command(
        {"HGETALL", TenantKeys(principal->tenant).CustomerProfile(in.customer_id)});
    if (!profile.ok()) return ToGrpc(absl::UnavailableError(profile.status().message()));
    in.customer = ProfileFromHash(redis::ReplyStrings(*profile));
  }
  auto model = d_.models != nullptr ? d_.models->ForTenant(principal->tenant, **conn) : nullptr;
  ModelVerdict verdict;
  if (model != nullptr) {
    auto p = model->model.Predict(in.subject + "\n" + in.body);
    auto* m = resp->mutable_model();
    m->set_model_version(model->version);
    m->set_model_tenant(model->tenant);
    m->set_min_confidence((*config)->config().min_confidence());
    for (const auto& l : p.labels) {
      auto* s = m->add_top_intents();
      s->set_intent(l.label);
      s->set_probability(l.probability);
    }
    for (const auto& f : p.features) {
      auto* w = m->add_top_features();
      w->set_feature(f.feature);
      w->set_contribution(f.contribution);
    }
    verdict = VerdictOf(model->model, p);
    m->set_out_of_scope_score(verdict.out_of_scope_score);
    m->set_out_of_scope_threshold(OutOfScopeThreshold((*config)->config(), verdict));
    m->set_out_of_scope(IsOutOfScope((*config)->config(), verdict));
  }
  ClassifyResult r = classification::Classify(*(*config)->compiled, in, &verdict);
  auto* c = resp->mutable_classification();
  c->set_category(r.category);
  c->set_priority(static_cast<v1::Priority>(r.priority));
  c->set_queue(r.queue);
  c->set_rule(r.rule);
  c->set_intent(r.intent);
  c->set_confidence(r.confidence);
  c->set_product_area(r.product_area);
  c->set_self_service(r.self_service);
  c->set_source(r.source);
  c->set_escalation_queue(r.escalation_queue);
  for (const auto& [name, level] : r.skills) {
    auto* s = c->add_required_skills();
    s->set_name(name);
    s->set_proficiency(level);
  }
  resp->set_config_version((*config)->version);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ClassificationService::Reclassify(grpc::CallbackServerContext* ctx,
                                                            const v1::ReclassifyRequest* req,
                                                            v1::ReclassifyResponse* resp) {
  return ServeUnary(d_.executor, ctx,
                    [this, ctx, req, resp] { return DoReclassify(*ctx, *req, resp); });
}

grpc::Status ClassificationService::DoReclassify(const grpc::ServerContextBase& ctx,
                                                 const v1::ReclassifyRequest& req,
                                                 v1::ReclassifyResponse* resp) {
  auto principal = d_.auth->Authorize(ctx, req.tenant_id(), req.agent_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  CorrectionRequest r{req.agent_id(), req.interaction_id(), req.intent(), req.category(),
                      req.comment()};
  if (auto st = ValidateName("intent", r.intent); !st.ok()) return ToGrpc(st);
  auto conn = d_.pool->Acquire();
  if (!conn.ok()) return ToGrpc(absl::UnavailableError(conn.status().message()));
  if (r.category.empty()) {
    // The category the tenant's mapping gives the intent, else the intent itself.
    auto config = d_.configs->Get(**conn, principal->tenant);
    if (!config.ok()) return ToGrpc(config.status());
    const CompiledConfig& compiled = *(*config)->compiled;
    auto it = compiled.intents.find(r.intent);
    r.category = r.intent;
    if (it != compiled.intents.end() && !compiled.config.intents(it->second).category().empty()) {
      r.category = compiled.config.intents(it->second).category();
    }
  }
  if (auto st = ValidateCorrection(r); !st.ok()) return ToGrpc(st);
  auto from = RecordCorrection(**conn, *d_.scripts, principal->tenant, r, d_.clock->NowMs(),
                               d_.event_max_len, kCorrectionsMaxLen);
  if (!from.ok()) return ToGrpc(from.status());
  d_.metrics->corrections
      .Add({{"tenant", principal->tenant}, {"category", from->category}, {"source", from->source}})
      .Increment();
  auto* p = resp->mutable_previous();
  p->set_category(from->category);
  p->set_priority(static_cast<v1::Priority>(from->priority));
  p->set_queue(from->queue);
  p->set_rule(from->rule);
  p->set_intent(from->intent);
  p->set_confidence(from->confidence);
  p->set_source(from->source);
  p->set_product_area(from->product_area);
  resp->set_correction_id(from->log_id);
  resp->set_category(r.category);
  return grpc::Status::OK;
}

}  // namespace omniroute::classification
