#include "services/common/api_keys.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/grpc/auth.h"
#include "services/common/keys.h"
#include "services/common/validation.h"

namespace omniroute {
namespace {

constexpr char kApiKeyPrefix[] = "omniroute:apikey:";

// The stored fields of the keys with these hashes (one round trip); `tenant` empty where the
// key is gone.
absl::StatusOr<std::vector<std::vector<std::string>>> ReadKeys(
    redis::Connection& conn, const std::vector<std::string>& hashes) {
  std::vector<std::vector<std::string>> cmds;
  for (const auto& h : hashes) {
    cmds.push_back(
        {"HMGET", ApiKeyKey(h), "tenant", "name", "roles", "created_ms", "agent", "expires_ms"});
  }
  auto replies = conn.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  std::vector<std::vector<std::string>> out;
  for (const auto& r : *replies) {
    if (auto s = redis::ReplyError(r, "read api key"); !s.ok()) return s;
    auto fields = redis::ReplyStrings(r);
    fields.resize(6);
    out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<ApiKeyInfo>> ListApiKeys(redis::Connection& conn,
                                                    absl::string_view tenant) {
  if (auto s = ValidateTenantId("tenant", tenant); !s.ok()) return s;
  auto members = conn.Command({"SMEMBERS", TenantKeys(tenant).ApiKeys()});
  if (!members.ok()) return members.status();
  if (auto s = redis::ReplyError(*members, "list api keys"); !s.ok()) return s;
  std::vector<std::string> hashes = redis::ReplyStrings(*members);
  auto fields = ReadKeys(conn, hashes);
  if (!fields.ok()) return fields.status();
  std::vector<ApiKeyInfo> out;
  std::vector<std::string> gone = {"SREM", TenantKeys(tenant).ApiKeys()};
  for (size_t i = 0; i < hashes.size(); ++i) {
    const auto& f = (*fields)[i];
    if (f[0].empty()) gone.push_back(hashes[i]);  // deleted by Redis after its expiry
    if (f[0] != tenant) continue;
    ApiKeyInfo info{hashes[i].substr(0, kApiKeyIdLength), hashes[i], f[1], f[2], 0, f[4], 0};
    if (!absl::SimpleAtoi(f[3], &info.created_ms)) info.created_ms = 0;
    if (!f[5].empty() && !absl::SimpleAtoi(f[5], &info.expires_ms)) info.expires_ms = 1;
    out.push_back(std::move(info));
  }
  // Index entries of keys that are gone leave the index, so it stays as large as the keys are
  // (expired keys would otherwise pile up with every rotation).
  if (gone.size() > 2) {
    auto pruned = conn.Command(gone);
    if (!pruned.ok()) return pruned.status();
    if (auto s = redis::ReplyError(*pruned, "prune api key index"); !s.ok()) return s;
  }
  std::sort(out.begin(), out.end(), [](const ApiKeyInfo& a, const ApiKeyInfo& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.hash < b.hash;
  });
  return out;
}

absl::StatusOr<ApiKeyInfo> FindApiKey(redis::Connection& conn, absl::string_view tenant,
                                      absl::string_view id) {
  bool hex = std::all_of(id.begin(), id.end(),
                         [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!hex || id.size() < kApiKeyIdMinLength || id.size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("id: '", id, "' is not a key id (", kApiKeyIdMinLength,
                     " to 64 lowercase hex digits, as `keys list` shows them)"));
  }
  auto keys = ListApiKeys(conn, tenant);
  if (!keys.ok()) return keys.status();
  std::vector<const ApiKeyInfo*> matches;
  for (const auto& k : *keys) {
    if (absl::StartsWith(k.hash, id)) matches.push_back(&k);
  }
  if (matches.empty()) {
    return absl::NotFoundError(absl::StrCat("id: tenant '", tenant, "' has no key '", id, "'"));
  }
  if (matches.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("id: '", id, "' matches ", matches.size(), " keys; give more digits"));
  }
  return *matches[0];
}

absl::StatusOr<ApiKeyInfo> RevokeApiKey(redis::Connection& conn, absl::string_view tenant,
                                        absl::string_view id) {
  auto revoked = FindApiKey(conn, tenant, id);
  if (!revoked.ok()) return revoked.status();
  auto replies = conn.Pipeline(
      {{"DEL", ApiKeyKey(revoked->hash)}, {"SREM", TenantKeys(tenant).ApiKeys(), revoked->hash}});
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (auto s = redis::ReplyError(r, "revoke api key"); !s.ok()) return s;
  }
  return revoked;
}

absl::StatusOr<RotatedApiKey> RotateApiKey(redis::Connection& conn, absl::string_view tenant,
                                           absl::string_view id, int64_t overlap_ms,
                                           int64_t new_expires_ms, int64_t now_ms) {
  if (overlap_ms < 0) return absl::InvalidArgumentError("overlap: must not be negative");
  auto old = FindApiKey(conn, tenant, id);
  if (!old.ok()) return old.status();
  if (old->expires_ms > 0 && old->expires_ms <= now_ms) {
    return absl::FailedPreconditionError(absl::StrCat(
        "id: key ", old->id, " has already expired; create a new key with `keys create`"));
  }
  ApiKeySpec spec{std::string(tenant), {}, old->name, old->agent, new_expires_ms};
  for (auto name : absl::StrSplit(old->roles, ',', absl::SkipEmpty())) {
    auto role = ParseRole(name);
    if (role.ok()) spec.roles.push_back(*role);
  }
  auto created = CreateApiKey(conn, spec);
  if (!created.ok()) return created.status();
  RotatedApiKey out{*old, *created, HashApiKey(*created).substr(0, kApiKeyIdLength)};
  const int64_t ends = now_ms + overlap_ms;
  if (old->expires_ms == 0 || ends < old->expires_ms) {
    out.old_key.expires_ms = ends;
    const std::string stored = ApiKeyKey(old->hash);
    auto replies = conn.Pipeline({{"HSET", stored, "expires_ms", std::to_string(ends)},
                                  {"PEXPIREAT", stored, std::to_string(ends + kExpiredKeyKeptMs)}});
    if (!replies.ok()) return replies.status();
    for (const auto& r : *replies) {
      if (auto s = redis::ReplyError(r, "rotate api key"); !s.ok()) return s;
    }
  }
  return out;
}

absl::StatusOr<int64_t> ReindexApiKeys(redis::Connection& conn) {
  int64_t added = 0;
  // Every master of a cluster holds some of the keys: each is scanned; reads and writes of the
  // keys found go through `conn`, to wherever their slot is.
  auto st = conn.ForEachMaster([&](redis::Connection& node) -> absl::Status {
    std::string cursor = "0";
    do {
      auto page =
          node.Command({"SCAN", cursor, "MATCH", absl::StrCat(kApiKeyPrefix, "*"), "COUNT", "500"});
      if (!page.ok()) return page.status();
      if (auto s = redis::ReplyError(*page, "scan api keys"); !s.ok()) return s;
      if (page->elements.size() != 2) return absl::InternalError("scan api keys: unexpected reply");
      cursor = page->elements[0].str;
      std::vector<std::string> hashes;
      for (const auto& k : redis::ReplyStrings(page->elements[1])) {
        hashes.push_back(k.substr(sizeof(kApiKeyPrefix) - 1));
      }
      auto fields = ReadKeys(conn, hashes);
      if (!fields.ok()) return fields.status();
      std::vector<std::vector<std::string>> adds;
      for (size_t i = 0; i < hashes.size(); ++i) {
        const std::string& tenant = (*fields)[i][0];
        if (!ValidateTenantId("tenant", tenant).ok()) continue;
        adds.push_back({"SADD", TenantKeys(tenant).ApiKeys(), hashes[i]});
      }
      auto replies = conn.Pipeline(adds);
      if (!replies.ok()) return replies.status();
      for (const auto& r : *replies) {
        if (auto s = redis::ReplyError(r, "index api key"); !s.ok()) return s;
        added += r.integer;
      }
    } while (cursor != "0");
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return added;
}

}  // namespace omniroute
