#include "services/classification/classification_service.h"

#include "absl/strings/str_cat.h"
#include "services/classification/rules.h"
#include "services/common/grpc/status.h"
#include "services/common/validation.h"

namespace omniroute::classification {

grpc::Status ClassificationService::Classify(grpc::ServerContext* ctx,
                                             const v1::ClassifyRequest* req,
                                             v1::ClassifyResponse* resp) {
  auto principal = auth_->Authorize(*ctx, {Role::kIntegrator, Role::kAdmin}, req->tenant_id());
  if (!principal.ok()) return ToGrpc(principal.status());
  if (req->channel() <= 0 || req->channel() > 7) {
    return ToGrpc(absl::InvalidArgumentError("channel: is required"));
  }
  if (auto st = ValidateText("subject", req->subject(), 1000); !st.ok()) return ToGrpc(st);
  if (auto st = ValidateText("body", req->body(), 16384); !st.ok()) return ToGrpc(st);
  auto conn = pool_->Acquire();
  if (!conn.ok()) return ToGrpc(absl::UnavailableError(conn.status().message()));
  auto config = configs_->Get(**conn, principal->tenant);
  if (!config.ok()) return ToGrpc(config.status());
  ClassifyInput in{req->channel(), req->subject(), req->body(), 0, ""};
  ClassifyResult r = classification::Classify((*config)->config, in);
  auto* c = resp->mutable_classification();
  c->set_category(r.category);
  c->set_priority(static_cast<v1::Priority>(r.priority));
  c->set_queue(r.queue);
  c->set_rule(r.rule);
  for (const auto& [name, level] : r.skills) {
    auto* s = c->add_required_skills();
    s->set_name(name);
    s->set_proficiency(level);
  }
  resp->set_config_version((*config)->version);
  return grpc::Status::OK;
}

}  // namespace omniroute::classification
