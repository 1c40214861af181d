#include "services/common/grpc/rpc_roles.h"

#include "absl/container/flat_hash_map.h"

namespace omniroute {
namespace {

constexpr Role kIntegrator = Role::kIntegrator;
constexpr Role kAgent = Role::kAgent;
constexpr Role kSupervisor = Role::kSupervisor;
constexpr Role kAdmin = Role::kAdmin;
constexpr bool kActsAsAgent = true;

// The key of the mark the interceptor puts on a call. Whatever a client sends under this key is
// dropped first, so only the server sets it.
constexpr char kMarkKey[] = "omniroute-rpc";

using Index = absl::flat_hash_map<absl::string_view, const RpcRoles*>;

const Index& TableIndex() {
  static const Index* index = [] {
    auto* m = new Index;
    for (const RpcRoles& row : RolesTable()) m->emplace(row.method, &row);
    return m;
  }();
  return *index;
}

class RoleInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit RoleInterceptor(const RpcRoles* row) : row_(row) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      md->erase(grpc::string_ref(kMarkKey));
      if (row_ != nullptr) md->emplace(grpc::string_ref(kMarkKey), grpc::string_ref(row_->method));
    }
    methods->Proceed();
  }

 private:
  const RpcRoles* row_;
};

class RoleInterceptorFactoryImpl : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RoleInterceptor(info->method() == nullptr ? nullptr : FindRpcRoles(info->method()));
  }
};

}  // namespace

std::vector<Role> RoleSet::roles() const {
  std::vector<Role> out;
  for (Role r : {kIntegrator, kAgent, kSupervisor, kAdmin}) {
    if (Contains(r)) out.push_back(r);
  }
  return out;
}

const std::vector<RpcRoles>& RolesTable() {
  static const std::vector<RpcRoles> table = {
      {"/omniroute.v1.Intake/SubmitInteraction", {kIntegrator}},
      {"/omniroute.v1.Intake/SubmitInteractions", {kIntegrator}},
      {"/omniroute.v1.Intake/CancelInteraction", {kIntegrator}},
      {"/omniroute.v1.Intake/GetInteraction", {kIntegrator, kSupervisor, kAdmin}},
      {"/omniroute.v1.Intake/UpsertCustomer", {kIntegrator, kAdmin}},
      {"/omniroute.v1.Classifier/Classify", {kIntegrator, kAdmin}},
      {"/omniroute.v1.Classifier/Reclassify", {kAgent, kSupervisor}, kActsAsAgent},
      {"/omniroute.v1.Routing/SetAgentState", {kAgent, kSupervisor}, kActsAsAgent},
      {"/omniroute.v1.Routing/WatchOffers", {kAgent}, kActsAsAgent},
      {"/omniroute.v1.Routing/AcceptOffer", {kAgent}, kActsAsAgent},
      {"/omniroute.v1.Routing/RejectOffer", {kAgent}, kActsAsAgent},
      {"/omniroute.v1.Routing/TransferInteraction", {kAgent, kSupervisor}, kActsAsAgent},
      {"/omniroute.v1.Routing/EscalateInteraction", {kAgent, kIntegrator}, kActsAsAgent},
      {"/omniroute.v1.Routing/CompleteInteraction", {kAgent}, kActsAsAgent},
      {"/omniroute.v1.Routing/SetPriority", {kIntegrator, kSupervisor, kAdmin}},
      {"/omniroute.v1.Routing/GetQueueStats", {kAgent, kSupervisor, kAdmin}},
      {"/omniroute.v1.Routing/ExplainRouting", {kAgent, kSupervisor, kAdmin}},
      {"/omniroute.v1.Routing/WatchEvents", {kSupervisor, kAdmin}},
      {"/omniroute.v1.Routing/GetAgent", {kSupervisor, kAdmin}},
      {"/omniroute.v1.Routing/ListAgents", {kSupervisor, kAdmin}},
      {"/omniroute.v1.Routing/ListWaiting", {kSupervisor, kAdmin}},
      {"/omniroute.v1.Admin/PutQueue", {kAdmin}},
      {"/omniroute.v1.Admin/GetQueue", {kAdmin, kSupervisor}},
      {"/omniroute.v1.Admin/ListQueues", {kAdmin, kSupervisor}},
      {"/omniroute.v1.Admin/DeleteQueue", {kAdmin}},
      {"/omniroute.v1.Admin/PutTenantConfig", {kAdmin}},
      {"/omniroute.v1.Admin/GetTenantConfig", {kAdmin, kSupervisor}},
      {"/omniroute.v1.Admin/PutInboundSource", {kAdmin}},
      {"/omniroute.v1.Admin/ListInboundSources", {kAdmin}},
      {"/omniroute.v1.Admin/DeleteInboundSource", {kAdmin}},
      {"/omniroute.v1.Admin/PutWebhook", {kAdmin}},
      {"/omniroute.v1.Admin/GetWebhook", {kAdmin}},
      {"/omniroute.v1.Admin/ListWebhooks", {kAdmin}},
      {"/omniroute.v1.Admin/DeleteWebhook", {kAdmin}},
      {"/omniroute.v1.Admin/RotateWebhookSecret", {kAdmin}},
      {"/omniroute.v1.Admin/ListWebhookDeadLetters", {kAdmin}},
      {"/omniroute.v1.Admin/RedeliverWebhookDeadLetters", {kAdmin}},
      {"/omniroute.v1.Admin/DeleteWebhookDeadLetters", {kAdmin}},
      {"/omniroute.v1.Admin/ExportWorkload", {kAdmin}},
      {"/omniroute.v1.Admin/RunWhatIf", {kAdmin}},
  };
  return table;
}

const RpcRoles* FindRpcRoles(absl::string_view method) {
  const Index& index = TableIndex();
  auto it = index.find(method);
  return it == index.end() ? nullptr : it->second;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> RoleInterceptorFactory() {
  return std::make_unique<RoleInterceptorFactoryImpl>();
}

const RpcRoles* RolesOfCall(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(grpc::string_ref(kMarkKey));
  if (it == md.end()) return nullptr;
  return FindRpcRoles(absl::string_view(it->second.data(), it->second.size()));
}

}  // namespace omniroute
