#pragma once

#include "omniroute/v1/intake.grpc.pb.h"
#include "services/common/grpc/auth.h"
#include "services/intake/intake_metrics.h"
#include "services/intake/intake_store.h"

namespace omniroute::intake {

// gRPC edge of intake: authorizes, converts protos, validates, maps statuses.
class IntakeService final : public v1::Intake::Service {
 public:
  IntakeService(Authenticator* auth, IntakeStore* store, IntakeMetrics* metrics)
      : auth_(auth), store_(store), metrics_(metrics) {}

  grpc::Status SubmitInteraction(grpc::ServerContext* ctx, const v1::SubmitInteractionRequest* req,
                                 v1::SubmitInteractionResponse* resp) override;
  grpc::Status SubmitInteractions(grpc::ServerContext* ctx,
                                  const v1::SubmitInteractionsRequest* req,
                                  v1::SubmitInteractionsResponse* resp) override;
  grpc::Status UpsertCustomer(grpc::ServerContext* ctx, const v1::UpsertCustomerRequest* req,
                              v1::UpsertCustomerResponse* resp) override;
  grpc::Status CancelInteraction(grpc::ServerContext* ctx, const v1::CancelInteractionRequest* req,
                                 v1::CancelInteractionResponse* resp) override;
  grpc::Status GetInteraction(grpc::ServerContext* ctx, const v1::GetInteractionRequest* req,
                              v1::GetInteractionResponse* resp) override;

 private:
  Authenticator* auth_;
  IntakeStore* store_;
  IntakeMetrics* metrics_;
};

// Converts a request to the domain struct (no validation).
Submission FromProto(const v1::SubmitInteractionRequest& req);

}  // namespace omniroute::intake
