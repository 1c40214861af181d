#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/redis/redis_client.h"

namespace omniroute {

// The operator's view of a tenant's API keys (omniroute-ctl keys list / revoke / reindex).
// StoreApiKey (grpc/auth.h) stores a key as its SHA-256 and adds the hash to the tenant's
// index (TenantKeys::ApiKeys); the key itself is never stored, so it is never shown.
struct ApiKeyInfo {
  std::string id;    // the first kApiKeyIdLength hex digits of the key's SHA-256
  std::string hash;  // the whole SHA-256
  std::string name;
  std::string roles;       // comma-separated, as stored
  int64_t created_ms = 0;  // when the key was first stored; 0 = unknown
  std::string agent;       // the one agent the key acts as; "" = any
  int64_t expires_ms = 0;  // when the key stops working; 0 = never
};

inline constexpr size_t kApiKeyIdLength = 12;
// A shorter prefix of the hash is refused as an id (it would too easily match several keys).
inline constexpr size_t kApiKeyIdMinLength = 8;

// The tenant's keys, oldest first (then by id). Index entries whose key is gone (revoked
// elsewhere, or deleted by Redis after its expiry) are removed from the index; those whose key
// now belongs to another tenant are skipped.
absl::StatusOr<std::vector<ApiKeyInfo>> ListApiKeys(redis::Connection& conn,
                                                    absl::string_view tenant);

// Deletes the tenant's key whose hash starts with `id` (kApiKeyIdMinLength to 64 lowercase hex
// digits) and drops it from the index. INVALID_ARGUMENT naming "id" for a malformed id or one
// matching several keys, NOT_FOUND when no key of the tenant matches. Replicas that cached the
// key (Authenticator cache_ms, 5 s) accept it until their cache entry ends.
absl::StatusOr<ApiKeyInfo> RevokeApiKey(redis::Connection& conn, absl::string_view tenant,
                                        absl::string_view id);

// The tenant's key whose hash starts with `id`, with the errors of RevokeApiKey.
absl::StatusOr<ApiKeyInfo> FindApiKey(redis::Connection& conn, absl::string_view tenant,
                                      absl::string_view id);

struct RotatedApiKey {
  ApiKeyInfo old_key;   // with the expiry it now has
  std::string new_key;  // the new key itself: shown once, never stored
  std::string new_id;
};

// Rotation: creates a new key with the name, roles and agent binding of the tenant's key `id`
// (expiring at `new_expires_ms`, 0 = never) and makes the old key expire `overlap_ms` after
// `now_ms` (or keep an earlier expiry it already has), so both work during the overlap.
// FAILED_PRECONDITION for a key already expired; otherwise the errors of FindApiKey.
absl::StatusOr<RotatedApiKey> RotateApiKey(redis::Connection& conn, absl::string_view tenant,
                                           absl::string_view id, int64_t overlap_ms,
                                           int64_t new_expires_ms, int64_t now_ms);

// Adds every stored key missing from its tenant's index (keys stored by versions without the
// index) and returns how many it added. Walks all keys with SCAN: an operator command, never
// on a request path.
absl::StatusOr<int64_t> ReindexApiKeys(redis::Connection& conn);

}  // namespace omniroute
