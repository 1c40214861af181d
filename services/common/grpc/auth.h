#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/clock.h"
#include "services/common/grpc/rpc_roles.h"
#include "services/common/redis/redis_client.h"

namespace omniroute {

absl::StatusOr<Role> ParseRole(absl::string_view name);
absl::string_view RoleName(Role role);

// Who made a request: the key's tenant and roles, and what identifies the key in logs.
struct Principal {
  std::string tenant;
  std::vector<Role> roles;
  std::string key_id;      // the first 12 hex digits of the key's SHA-256 (as `keys list` shows)
  std::string key_name;    // the label given at creation; never the key itself
  std::string agent;       // the one agent the key acts as; "" = any agent of the tenant
  int64_t expires_ms = 0;  // when the key stops working (ms since the epoch); 0 = never
  bool Has(Role role) const;
};

// What a stored API key is: its tenant, roles and label, and optionally the one agent it may
// act as (then its only role is agent) and when it expires.
struct ApiKeySpec {
  std::string tenant;
  std::vector<Role> roles;
  std::string name;
  std::string agent;       // "" = not bound to an agent
  int64_t expires_ms = 0;  // ms since the epoch; 0 = never
};

// An expired key's record stays this long after its expiry (so callers get "API key expired"
// rather than "unknown API key"), then Redis deletes it.
inline constexpr int64_t kExpiredKeyKeptMs = 7LL * 24 * 3600 * 1000;

// SHA-256 of an API key, hex. Keys are stored only as this hash.
std::string HashApiKey(absl::string_view key);

// Checks `authorization: Bearer <key>` metadata against the hashed keys in Redis, caching a
// found key for cache_ms (so a revoked key stops working within that time).
class Authenticator {
 public:
  Authenticator(redis::Pool* pool, const Clock* clock, int64_t cache_ms = 5000)
      : pool_(pool), clock_(clock), cache_ms_(cache_ms) {}

  // UNAUTHENTICATED for a missing, unknown or expired key (expiry is checked on every use,
  // cached or not); PERMISSION_DENIED when the key has none of the roles the roles table
  // (rpc_roles.h) gives the call's method, or belongs to another tenant than `requested_tenant`
  // ("" = the key's own tenant), or is bound to an agent other than `acting_agent` on a call the
  // table marks as acting as an agent. Such a call must pass the request's agent_id as
  // `acting_agent`; when it passes nothing, a bound key is refused (fail closed). The method is
  // the one RoleInterceptorFactory marked the call with; a call without that mark is refused.
  // Takes the context of sync and callback calls alike; may read Redis (a key not cached), so
  // callback handlers call it off gRPC's threads.
  absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& ctx,
                                      absl::string_view requested_tenant,
                                      std::optional<absl::string_view> acting_agent = std::nullopt);
  // Like Authorize, from the cache of keys alone: nullopt when the key must be looked up in
  // Redis (the caller then runs Authorize where it may block).
  std::optional<absl::StatusOr<Principal>> AuthorizeCached(
      const grpc::ServerContextBase& ctx, absl::string_view requested_tenant,
      std::optional<absl::string_view> acting_agent = std::nullopt);
  // The check itself, for a key and a roles-table row given directly (tools and tests).
  absl::StatusOr<Principal> AuthorizeKey(
      absl::string_view api_key, const RpcRoles& row, absl::string_view requested_tenant,
      std::optional<absl::string_view> acting_agent = std::nullopt);
  // The same for a set of roles on a call that acts as no agent.
  absl::StatusOr<Principal> AuthorizeKey(absl::string_view api_key, RoleSet any_of,
                                         absl::string_view requested_tenant);

 private:
  absl::StatusOr<Principal> Lookup(const std::string& hash);
  static absl::StatusOr<absl::string_view> BearerKey(const grpc::ServerContextBase& ctx);
  // The roles table's row for the call in ctx.
  static absl::StatusOr<const RpcRoles*> RowOf(const grpc::ServerContextBase& ctx);
  // The principal if it may make the call (expiry, tenant, roles, agent), else why not.
  absl::StatusOr<Principal> Check(const Principal& principal, const RpcRoles& row,
                                  absl::string_view requested_tenant,
                                  std::optional<absl::string_view> acting_agent) const;

  redis::Pool* pool_;
  const Clock* clock_;
  const int64_t cache_ms_;
  struct Cached {
    Principal principal;
    int64_t expires_ms;
  };
  std::mutex mu_;
  std::map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
};

// Creates a key for a tenant with the given roles and registers the tenant; returns the key.
// Used by the omniroute-ctl tool and tests.
absl::StatusOr<std::string> CreateApiKey(redis::Connection& conn, absl::string_view tenant,
                                         const std::vector<Role>& roles, absl::string_view name);
// The same for a key bound to an agent or expiring (see StoreApiKey).
absl::StatusOr<std::string> CreateApiKey(redis::Connection& conn, const ApiKeySpec& spec);

// Stores a key chosen by the caller (e.g. one kept in a Kubernetes Secret) for a tenant with the
// given roles, like CreateApiKey. The key must be 24 to 256 printable ASCII characters without
// spaces. Storing the same key again overwrites its tenant, roles and name (keeping the time it
// was first stored), so it is idempotent. The key's hash joins its tenant's index of keys
// (TenantKeys::ApiKeys, read by ListApiKeys in api_keys.h).
absl::Status StoreApiKey(redis::Connection& conn, absl::string_view key, absl::string_view tenant,
                         const std::vector<Role>& roles, absl::string_view name);
// The same with an agent binding and an expiry. A bound key must have the agent role alone
// (INVALID_ARGUMENT naming "roles" otherwise; "agent" for a malformed agent id). An expiring
// key's record is deleted by Redis kExpiredKeyKeptMs after its expiry. Storing the key again
// replaces its binding and expiry too.
absl::Status StoreApiKey(redis::Connection& conn, absl::string_view key, const ApiKeySpec& spec);

}  // namespace omniroute
