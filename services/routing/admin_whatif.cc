// Admin RPCs of what-if: ExportWorkload (the tenant's feed over a window, as a workload) and
// RunWhatIf (a replay on a scratch Redis, run by the runner main.cc gives).

#include "absl/strings/str_cat.h"
#include "services/common/clock.h"
#include "services/common/grpc/callback_unary.h"
#include "services/common/grpc/status.h"
#include "services/common/redis/stream_id.h"
#include "services/routing/admin_service.h"
#include "services/whatif/workload_builder.h"

namespace omniroute::routing {

namespace {

constexpr int kFeedPage = 5000;

// Every agent of the tenant, a page at a time.
absl::StatusOr<std::vector<v1::AgentView>> AllAgents(RoutingEngine& engine,
                                                     const std::string& tenant) {
  std::vector<v1::AgentView> out;
  RoutingEngine::AgentQuery query;
  query.page_size = kMaxPageSize;
  while (true) {
    auto page = engine.ListAgents(tenant, query);
    if (!page.ok()) return page.status();
    for (const auto& a : page->agents()) out.push_back(a);
    if (page->agents_size() < query.page_size || page->agents().empty()) return out;
    query.after = out.back().agent_id();
  }
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::ExportWorkload(grpc::CallbackServerContext* ctx,
                                                       const v1::ExportWorkloadRequest* req,
                                                       v1::ExportWorkloadResponse* resp) {
  return ServeUnary(executor_, ctx, [this, ctx, req, resp]() -> grpc::Status {
    auto principal = auth_->Authorize(*ctx, req->tenant_id());
    if (!principal.ok()) return ToGrpc(principal.status());
    const std::string& tenant = principal->tenant;
    int64_t start = req->start_ms(),
            end = req->end_ms() == 0 ? SystemClock().NowMs() : req->end_ms();
    if (start <= 0 || end <= start) {
      return ToGrpc(absl::InvalidArgumentError(
          "start_ms: must be > 0 and before end_ms (0 = now), ms since the epoch"));
    }
    auto config = engine_->GetConfig(tenant);
    if (!config.ok() && config.status().code() != absl::StatusCode::kNotFound) {
      return ToGrpc(config.status());
    }
    auto queues = engine_->ListQueues(tenant);
    if (!queues.ok()) return ToGrpc(queues.status());
    auto agents = AllAgents(*engine_, tenant);
    if (!agents.ok()) return ToGrpc(agents.status());
    whatif::WorkloadBuilder builder(tenant, start, config.ok() ? *config : v1::TenantConfig{},
                                    *queues, *agents);
    std::string from = absl::StrCat(start, "-0"), trimmed;
    bool first_page = true;
    while (true) {
      auto page = engine_->ReadFeed(tenant, from, kFeedPage, first_page ? &trimmed : nullptr);
      if (!page.ok()) return ToGrpc(page.status());
      if (first_page) {
        // The window is whole unless the feed's cap deleted events from it.
        auto deleted = redis::StreamId::Parse(trimmed);
        if (deleted.has_value() && static_cast<int64_t>(deleted->ms) >= start) {
          return ToGrpc(absl::FailedPreconditionError(absl::StrCat(
              "start_ms: the event feed no longer holds the events up to ", deleted->ms,
              " (it is capped by --event-max-len); record longer windows live with "
              "`omniroute-ctl workload export --follow-seconds`")));
        }
        first_page = false;
      }
      bool past_end = false;
      for (const auto& e : *page) {
        if (e.at_ms() >= end) {
          past_end = true;
          break;
        }
        builder.Add(e);
      }
      if (past_end || page->size() < kFeedPage) break;
      from = "(" + page->back().event_id();
    }
    *resp->mutable_workload() = builder.Finish(end);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* AdminService::RunWhatIf(grpc::CallbackServerContext* ctx,
                                                  const v1::RunWhatIfRequest* req,
                                                  v1::RunWhatIfResponse* resp) {
  return ServeUnary(executor_, ctx, [this, ctx, req, resp]() -> grpc::Status {
    auto principal = auth_->Authorize(*ctx, req->tenant_id());
    if (!principal.ok()) return ToGrpc(principal.status());
    if (!what_if_) {
      return ToGrpc(absl::UnimplementedError("what-if replays are not served by this replica"));
    }
    if (what_if_running_.exchange(true)) {
      return ToGrpc(absl::ResourceExhaustedError(
          "a what-if replay is running on this replica; try again when it is done"));
    }
    auto result = what_if_(*req);
    what_if_running_ = false;
    if (!result.ok()) return ToGrpc(result.status());
    *resp = std::move(*result);
    return grpc::Status::OK;
  });
}

}  // namespace omniroute::routing
