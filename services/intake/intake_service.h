#pragma once

#include <grpcpp/grpcpp.h>

#include "omniroute/v1/intake.grpc.pb.h"
#include "services/common/bounded_executor.h"
#include "services/common/grpc/auth.h"
#include "services/intake/intake_metrics.h"
#include "services/intake/intake_store.h"

namespace omniroute::intake {

// gRPC edge of intake: authorizes, converts protos, validates, maps statuses. A callback
// service: each call's work runs on the bounded executor (ServeUnary), so the process holds a
// fixed set of threads whatever the number of calls, and a call whose deadline passed while it
// waited is not started.
class IntakeService final : public v1::Intake::CallbackService {
 public:
  IntakeService(Authenticator* auth, IntakeStore* store, IntakeMetrics* metrics,
                BoundedExecutor* executor)
      : auth_(auth), store_(store), metrics_(metrics), executor_(executor) {}

  grpc::ServerUnaryReactor* SubmitInteraction(grpc::CallbackServerContext* ctx,
                                              const v1::SubmitInteractionRequest* req,
                                              v1::SubmitInteractionResponse* resp) override;
  grpc::ServerUnaryReactor* SubmitInteractions(grpc::CallbackServerContext* ctx,
                                               const v1::SubmitInteractionsRequest* req,
                                               v1::SubmitInteractionsResponse* resp) override;
  grpc::ServerUnaryReactor* UpsertCustomer(grpc::CallbackServerContext* ctx,
                                           const v1::UpsertCustomerRequest* req,
                                           v1::UpsertCustomerResponse* resp) override;
  grpc::ServerUnaryReactor* CancelInteraction(grpc::CallbackServerContext* ctx,
                                              const v1::CancelInteractionRequest* req,
                                              v1::CancelInteractionResponse* resp) override;
  grpc::ServerUnaryReactor* GetInteraction(grpc::CallbackServerContext* ctx,
                                           const v1::GetInteractionRequest* req,
                                           v1::GetInteractionResponse* resp) override;

 private:
  using Ctx = grpc::CallbackServerContext;
  grpc::Status DoSubmitInteraction(const Ctx& ctx, const v1::SubmitInteractionRequest& req,
                                   v1::SubmitInteractionResponse* resp);
  grpc::Status DoSubmitInteractions(const Ctx& ctx, const v1::SubmitInteractionsRequest& req,
                                    v1::SubmitInteractionsResponse* resp);
  grpc::Status DoUpsertCustomer(const Ctx& ctx, const v1::UpsertCustomerRequest& req,
                                v1::UpsertCustomerResponse* resp);
  grpc::Status DoCancelInteraction(const Ctx& ctx, const v1::CancelInteractionRequest& req,
                                   v1::CancelInteractionResponse* resp);
  grpc::Status DoGetInteraction(const Ctx& ctx, const v1::GetInteractionRequest& req,
                                v1::GetInteractionResponse* resp);

  Authenticator* auth_;
  IntakeStore* store_;
  IntakeMetrics* metrics_;
  BoundedExecutor* executor_;
};

// Converts a request to the domain struct (no validation).
Submission FromProto(const v1::SubmitInteractionRequest& req);

}  // namespace omniroute::intake
