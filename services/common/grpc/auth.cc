#include "services/common/grpc/auth.h"

#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/common/api_keys.h"
#include "services/common/grpc/status.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/common/validation.h"

namespace omniroute {

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  if (name == "integrator") return Role::kIntegrator;
  if (name == "agent") return Role::kAgent;
  if (name == "supervisor") return Role::kSupervisor;
  if (name == "admin") return Role::kAdmin;
  return absl::InvalidArgumentError(
      absl::StrCat("role '", name, "': must be integrator, agent, supervisor or admin"));
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIntegrator:
      return "integrator";
    case Role::kAgent:
      return "agent";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

bool Principal::Has(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string HashApiKey(absl::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  std::string hex(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return hex;
}

absl::StatusOr<const RpcRoles*> Authenticator::RowOf(const grpc::ServerContextBase& ctx) {
  const RpcRoles* row = RolesOfCall(ctx);
  if (row == nullptr) {
    return absl::PermissionDeniedError("this call is not in the roles table; refused");
  }
  return row;
}

std::optional<absl::StatusOr<Principal>> Authenticator::AuthorizeCached(
    const grpc::ServerContextBase& ctx, absl::string_view requested_tenant,
    std::optional<absl::string_view> acting_agent) {
  auto row = RowOf(ctx);
  if (!row.ok()) return absl::StatusOr<Principal>(row.status());
  auto key = BearerKey(ctx);
  if (!key.ok()) return absl::StatusOr<Principal>(key.status());
  std::string hash = HashApiKey(*key);
  Principal principal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(hash);
    if (it == cache_.end() || it->second.expires_ms <= clock_->NowMs()) return std::nullopt;
    principal = it->second.principal;
  }
  return Check(principal, **row, requested_tenant, acting_agent);
}

absl::StatusOr<absl::string_view> Authenticator::BearerKey(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return absl::UnauthenticatedError("missing 'authorization: Bearer <api key>' metadata");
  }
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer || value.size() == kBearer.size()) {
    return absl::UnauthenticatedError("authorization metadata must be 'Bearer <api key>'");
  }
  return value.substr(kBearer.size());
}

absl::StatusOr<Principal> Authenticator::Authorize(const grpc::ServerContextBase& ctx,
                                                   absl::string_view requested_tenant,
                                                   std::optional<absl::string_view> acting_agent) {
  auto row = RowOf(ctx);
  if (!row.ok()) return row.status();
  auto key = BearerKey(ctx);
  if (!key.ok()) return key.status();
  return AuthorizeKey(*key, **row, requested_tenant, acting_agent);
}

absl::StatusOr<Principal> Authenticator::Check(
    const Principal& principal, const RpcRoles& row, absl::string_view requested_tenant,
    std::optional<absl::string_view> acting_agent) const {
  // Checked on every use, cached or not: a cached key stops working at its expiry.
  if (principal.expires_ms > 0 && clock_->NowMs() >= principal.expires_ms) {
    return absl::UnauthenticatedError("API key expired");
  }
  if (!requested_tenant.empty() && requested_tenant != principal.tenant) {
    return absl::PermissionDeniedError(absl::StrCat(
        "tenant_id: the API key does not belong to tenant '", QuoteInput(requested_tenant), "'"));
  }
  bool allowed = false;
  for (Role r : principal.roles) allowed = allowed || row.roles.Contains(r);
  if (!allowed) {
    std::vector<std::string> names;
    for (Role r : row.roles.roles()) names.emplace_back(RoleName(r));
    return absl::PermissionDeniedError(
        absl::StrCat("this call needs an API key with role ", absl::StrJoin(names, " or ")));
  }
  if (!principal.agent.empty() && row.acts_as_agent &&
      (!acting_agent.has_value() || *acting_agent != principal.agent)) {
    return absl::PermissionDeniedError(
        absl::StrCat("agent_id: this key acts only as agent '", principal.agent, "'"));
  }
  return principal;
}

absl::StatusOr<Principal> Authenticator::AuthorizeKey(absl::string_view api_key, RoleSet any_of,
                                                      absl::string_view requested_tenant) {
  return AuthorizeKey(api_key, RpcRoles{"", any_of}, requested_tenant);
}

absl::StatusOr<Principal> Authenticator::AuthorizeKey(
    absl::string_view api_key, const RpcRoles& row, absl::string_view requested_tenant,
    std::optional<absl::string_view> acting_agent) {
  std::string hash = HashApiKey(api_key);
  Principal principal;
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.expires_ms > clock_->NowMs()) {
      principal = it->second.principal;
      cached = true;
    }
  }
  if (!cached) {
    auto found = Lookup(hash);
    if (!found.ok()) return found.status();
    principal = std::move(*found);
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() > 10000) cache_.clear();
    cache_[hash] = Cached{principal, clock_->NowMs() + cache_ms_};
  }
  return Check(principal, row, requested_tenant, acting_agent);
}

absl::StatusOr<Principal> Authenticator::Lookup(const std::string& hash) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return absl::UnavailableError("cannot reach Redis to check the API key");
  auto reply = (*conn)->Command(
      {"HMGET", ApiKeyKey(hash), "tenant", "roles", "name", "agent", "expires_ms"});
  if (!reply.ok()) return absl::UnavailableError("cannot reach Redis to check the API key");
  // Any error reply (LOADING after a restart, BUSY, ...) is "cannot check now", never "unknown".
  if (reply->is_error()) {
    return absl::UnavailableError(absl::StrCat("cannot check the API key now: ", reply->str));
  }
  auto fields = redis::ReplyStrings(*reply);
  if (fields.size() != 5 || fields[0].empty()) {
    return absl::UnauthenticatedError("unknown API key");
  }
  Principal p;
  p.tenant = fields[0];
  for (auto name : absl::StrSplit(fields[1], ',', absl::SkipEmpty())) {
    auto role = ParseRole(name);
    if (role.ok()) p.roles.push_back(*role);
  }
  p.key_id = hash.substr(0, kApiKeyIdLength);
  p.key_name = fields[2];
  p.agent = fields[3];
  if (!fields[4].empty() && !absl::SimpleAtoi(fields[4], &p.expires_ms)) {
    p.expires_ms = 1;  // an unreadable expiry fails closed: the key counts as expired
  }
  return p;
}

absl::Status StoreApiKey(redis::Connection& conn, absl::string_view key, absl::string_view tenant,
                         const std::vector<Role>& roles, absl::string_view name) {
  return StoreApiKey(conn, key, ApiKeySpec{std::string(tenant), roles, std::string(name), "", 0});
}

absl::Status StoreApiKey(redis::Connection& conn, absl::string_view key, const ApiKeySpec& spec) {
  const std::string& tenant = spec.tenant;
  if (auto s = ValidateTenantId("tenant", tenant); !s.ok()) return s;
  if (spec.roles.empty()) return absl::InvalidArgumentError("roles: at least one role is required");
  if (!spec.agent.empty()) {
    if (auto s = ValidateExternalId("agent", spec.agent); !s.ok()) return s;
    for (Role r : spec.roles) {
      if (r != Role::kAgent) {
        return absl::InvalidArgumentError(
            "roles: a key bound to an agent has the role agent alone");
      }
    }
  }
  if (spec.expires_ms < 0) return absl::InvalidArgumentError("expires: must not be negative");
  if (key.size() < 24 || key.size() > 256) {
    return absl::InvalidArgumentError("key: must be 24 to 256 characters long");
  }
  for (char c : key) {
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError("key: only printable ASCII characters without spaces");
    }
  }
  std::vector<std::string> names;
  for (Role r : spec.roles) names.emplace_back(RoleName(r));
  const std::string hash = HashApiKey(key), stored = ApiKeyKey(hash);
  // The key stored again for another tenant leaves that tenant's index.
  auto previous = conn.Command({"HGET", stored, "tenant"});
  if (!previous.ok()) return previous.status();
  if (auto s = redis::ReplyError(*previous, "store api key"); !s.ok()) return s;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::vector<std::vector<std::string>> cmds = {
      {"HSET", stored, "tenant", tenant, "roles", absl::StrJoin(names, ","), "name", spec.name},
      {"HSETNX", stored, "created_ms", std::to_string(now_ms)},  // the first store's time
      {"SADD", TenantKeys(tenant).ApiKeys(), hash},
      {"SADD", kTenantsKey, tenant}};
  if (spec.agent.empty()) {
    cmds.push_back({"HDEL", stored, "agent"});
  } else {
    cmds.push_back({"HSET", stored, "agent", spec.agent});
  }
  if (spec.expires_ms == 0) {
    cmds.push_back({"HDEL", stored, "expires_ms"});
    cmds.push_back({"PERSIST", stored});
  } else {
    cmds.push_back({"HSET", stored, "expires_ms", std::to_string(spec.expires_ms)});
    cmds.push_back({"PEXPIREAT", stored, std::to_string(spec.expires_ms + kExpiredKeyKeptMs)});
  }
  if (!previous->str.empty() && previous->str != tenant &&
      ValidateTenantId("tenant", previous->str).ok()) {
    cmds.push_back({"SREM", TenantKeys(previous->str).ApiKeys(), hash});
  }
  auto replies = conn.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (auto s = redis::ReplyError(r, "store api key"); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CreateApiKey(redis::Connection& conn, absl::string_view tenant,
                                         const std::vector<Role>& roles, absl::string_view name) {
  return CreateApiKey(conn, ApiKeySpec{std::string(tenant), roles, std::string(name), "", 0});
}

absl::StatusOr<std::string> CreateApiKey(redis::Connection& conn, const ApiKeySpec& spec) {
  RandomIdGenerator ids;  // StoreApiKey validates the tenant and roles
  std::string key = absl::StrCat("ork_", spec.tenant, "_", ids.NewId());
  if (auto s = StoreApiKey(conn, key, spec); !s.ok()) return s;
  return key;
}

}  // namespace omniroute
