#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"

namespace omniroute {

enum class Role { kIntegrator, kAgent, kSupervisor, kAdmin };

// A set of roles; a call is allowed when the caller's key has any of them.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= Bit(r);
  }
  constexpr bool Contains(Role r) const { return (bits_ & Bit(r)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  std::vector<Role> roles() const;

 private:
  static constexpr uint8_t Bit(Role r) { return uint8_t(1) << static_cast<int>(r); }
  uint8_t bits_ = 0;
};

// The roles table: which roles may make each call of the public API. The one place roles are
// decided; the README's "Roles" table shows the same rows and the e2e test ApiRolesE2E checks
// every RPC against every role through the real services.
struct RpcRoles {
  const char* method;  // "/omniroute.v1.Service/Method", as gRPC names it
  RoleSet roles;
  // The request's agent_id names the agent the caller acts as: a key bound to an agent may make
  // the call only for that agent (Authenticator::Authorize's acting_agent). Every method the agent
  // role may call whose request has an agent_id is marked (AgentKeysE2E checks this against the
  // protos).
  bool acts_as_agent = false;
};
const std::vector<RpcRoles>& RolesTable();

// The roles of a method of the table, nullptr for any other (health, reflection).
const RpcRoles* FindRpcRoles(absl::string_view method);

// The server interceptor that tells the Authenticator which call it checks: it marks each call
// of a method in the table with that method (as metadata the client cannot set), so
// Authenticator::Authorize(ctx, tenant) applies the method's row. A call of the table that
// arrives without the mark (the interceptor not installed) is refused.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> RoleInterceptorFactory();

// The roles of the call in ctx (marked by the interceptor), nullptr when it carries no mark.
const RpcRoles* RolesOfCall(const grpc::ServerContextBase& ctx);

}  // namespace omniroute
