// keys create|list|rotate|revoke|reindex (and create-key, the name `keys create` had first):
// API keys, straight on Redis, so they work before any key exists.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "services/common/api_keys.h"
#include "services/common/grpc/auth.h"
#include "services/common/log/log.h"
#include "tools/ctl/ctl.h"

namespace omniroute::ctl {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A positive duration such as 30d, 24h, 90m, 2s or 1500ms, in ms; the error names `flag`.
absl::StatusOr<int64_t> ParseDurationMs(const std::string& flag, const std::string& value) {
  absl::Duration d;
  bool ok = absl::ParseDuration(value, &d);
  double days = 0;
  if (!ok && absl::EndsWith(value, "d") &&
      absl::SimpleAtod(value.substr(0, value.size() - 1), &days)) {
    d = absl::Hours(24) * days;  // absl knows no days
    ok = true;
  }
  if (!ok || d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, ": '", value, "' is not a positive duration (e.g. 30d, 24h, 90m, 2s)"));
  }
  return absl::ToInt64Milliseconds(d);
}

// The expiry --expires-in / --expires-at give (0 = none); both at once is refused.
absl::StatusOr<int64_t> ParseExpiry(const std::string& in, const std::string& at) {
  if (!in.empty() && !at.empty()) {
    return absl::InvalidArgumentError("--expires-in, --expires-at: give one of them, not both");
  }
  if (!in.empty()) {
    auto ms = ParseDurationMs("expires-in", in);
    if (!ms.ok()) return ms.status();
    return NowMs() + *ms;
  }
  if (at.empty()) return 0;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, at, &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--expires-at: '", at, "' is not an RFC 3339 time (e.g. 2027-01-31T00:00:00Z): ", err));
  }
  if (absl::ToUnixMillis(t) <= NowMs()) {
    return absl::InvalidArgumentError(absl::StrCat("--expires-at: '", at, "' is in the past"));
  }
  return absl::ToUnixMillis(t);
}

// The audit line of a key change made with this tool: one JSON object on stderr naming the
// changed key by id and name (never the key itself) and the operating-system user.
void LogKeyChange(const std::string& method, const std::string& tenant, const std::string& id,
                  const std::string& name) {
  const char* user = std::getenv("USER");
  log::Init("omniroute-ctl");
  log::Info("admin change", {{"tenant", tenant},
                             {"method", method},
                             {"key_id", id},
                             {"key_name", name},
                             {"actor", user == nullptr ? "" : user}});
}

// An expiry as `keys list` shows it: "-" for none, the time, and "(expired)" once past.
std::string FormatExpiry(int64_t expires_ms, int64_t now_ms) {
  if (expires_ms == 0) return "-";
  return FormatTimeMs(expires_ms) + (expires_ms <= now_ms ? " (expired)" : "");
}

int CreateKey(int argc, char** argv) {
  RedisFlags redis;
  std::string tenant, roles_csv, name = "cli", key_env, agent, expires_in, expires_at;
  config::Flags flags(argv[0]);
  flags.Add("tenant", &tenant, "tenant id, [A-Za-z0-9_-]{1,64}");
  flags.Add("roles", &roles_csv, "comma-separated roles: integrator, agent, supervisor, admin");
  flags.Add("name", &name, "a label for the key (shown by `keys list` and in audit logs)");
  flags.Add("agent", &agent,
            "bind the key to this agent id: it then acts only as that agent (needs --roles agent)");
  flags.Add("expires-in", &expires_in, "the key stops working after this long (30d, 24h, 90m)");
  flags.Add("expires-at", &expires_at, "the key stops working at this RFC 3339 time");
  flags.Add("key-from-env", &key_env,
            "store the key held by this environment variable instead of generating one");
  if (auto code = redis.Parse(flags,
                              "Creates an API key and prints it on stdout (only its SHA-256 is "
                              "stored; the key id `keys list` shows goes to stderr). With "
                              "--key-from-env the key is read from that variable (e.g. filled from "
                              "a Kubernetes Secret), stored and not printed; storing the same key "
                              "again is harmless. An operator key needs roles admin,supervisor.\n",
                              argc, argv)) {
    return *code;
  }
  ApiKeySpec spec{tenant, {}, name, agent, 0};
  for (auto r : absl::StrSplit(roles_csv, ',', absl::SkipEmpty())) {
    auto role = ParseRole(r);
    if (!role.ok()) return Fail(argv[0], role.status());
    spec.roles.push_back(*role);
  }
  auto expires = ParseExpiry(expires_in, expires_at);
  if (!expires.ok()) return Fail(argv[0], expires.status());
  spec.expires_ms = *expires;
  const char* given_key = nullptr;
  if (!key_env.empty()) {
    given_key = std::getenv(key_env.c_str());
    if (given_key == nullptr || *given_key == '\0') {
      return Fail(argv[0], absl::InvalidArgumentError(
                               absl::StrCat("--key-from-env: ", key_env, " is not set or empty")));
    }
  }
  auto conn = redis.Connect();
  if (!conn.ok()) return Fail(argv[0], conn.status());
  std::string key;
  if (given_key != nullptr) {
    key = given_key;
    if (auto st = StoreApiKey(**conn, key, spec); !st.ok()) return Fail(argv[0], st);
  } else {
    auto created = CreateApiKey(**conn, spec);
    if (!created.ok()) return Fail(argv[0], created.status());
    key = *created;
    std::printf("%s\n", key.c_str());
  }
  const std::string id = HashApiKey(key).substr(0, kApiKeyIdLength);
  std::fprintf(stderr, "omniroute-ctl: stored key %s for tenant %s (roles %s%s%s)\n", id.c_str(),
               tenant.c_str(), roles_csv.c_str(), agent.empty() ? "" : ", agent ", agent.c_str());
  LogKeyChange("keys.create", tenant, id, name);
  return kExitOk;
}

int ListKeys(int argc, char** argv) {
  RedisFlags redis;
  std::string tenant;
  config::Flags flags(argv[0]);
  flags.Add("tenant", &tenant, "tenant id");
  if (auto code = redis.Parse(flags,
                              "Lists the tenant's API keys, oldest first: key id (the first 12 hex "
                              "digits of the key's SHA-256), name, roles, the agent a key is bound "
                              "to, when it was created and when it expires. The keys themselves "
                              "are not stored, so never shown.\n",
                              argc, argv)) {
    return *code;
  }
  auto conn = redis.Connect();
  if (!conn.ok()) return Fail(argv[0], conn.status());
  auto keys = ListApiKeys(**conn, tenant);
  if (!keys.ok()) return Fail(argv[0], keys.status());
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "ROLES", "AGENT", "CREATED", "EXPIRES"}};
  const int64_t now = NowMs();
  for (const auto& k : *keys) {
    rows.push_back({k.id, k.name, k.roles, k.agent.empty() ? "-" : k.agent,
                    FormatTimeMs(k.created_ms), FormatExpiry(k.expires_ms, now)});
  }
  PrintTable(rows);
  return kExitOk;
}

int RevokeKey(int argc, char** argv) {
  RedisFlags redis;
  std::string tenant, id;
  config::Flags flags(argv[0]);
  flags.Add("tenant", &tenant, "tenant id");
  flags.Add("id", &id, "key id as `keys list` shows it (or a longer prefix of the SHA-256)");
  if (auto code =
          redis.Parse(flags,
                      "Revokes (deletes) one API key of the tenant. Replicas cache a key "
                      "for 5 s, so every replica refuses it (UNAUTHENTICATED) within 5 s.\n",
                      argc, argv)) {
    return *code;
  }
  auto conn = redis.Connect();
  if (!conn.ok()) return Fail(argv[0], conn.status());
  auto revoked = RevokeApiKey(**conn, tenant, id);
  if (!revoked.ok()) return Fail(argv[0], revoked.status());
  std::printf("revoked key %s (%s, roles %s) of tenant %s; replicas refuse it within 5 s\n",
              revoked->id.c_str(), revoked->name.c_str(), revoked->roles.c_str(), tenant.c_str());
  LogKeyChange("keys.revoke", tenant, revoked->id, revoked->name);
  return kExitOk;
}

int RotateKey(int argc, char** argv) {
  RedisFlags redis;
  std::string tenant, id, overlap = "24h", expires_in, expires_at;
  config::Flags flags(argv[0]);
  flags.Add("tenant", &tenant, "tenant id");
  flags.Add("id", &id, "key id as `keys list` shows it (or a longer prefix of the SHA-256)");
  flags.Add("overlap", &overlap, "how long the old key keeps working (default 24h)");
  flags.Add("expires-in", &expires_in, "the new key stops working after this long");
  flags.Add("expires-at", &expires_at, "the new key stops working at this RFC 3339 time");
  if (auto code = redis.Parse(
          flags,
          "Rotates an API key: creates a new key with the old one's name, roles and agent "
          "binding and prints it on stdout (once: only its SHA-256 is stored; its id goes to "
          "stderr), and makes the old key expire after --overlap, so both work while clients "
          "move to the new key. An earlier expiry the old key already has is kept. Replicas may "
          "accept the old key up to 5 s past the overlap (their key cache).\n",
          argc, argv)) {
    return *code;
  }
  auto overlap_ms = ParseDurationMs("overlap", overlap);
  if (!overlap_ms.ok()) return Fail(argv[0], overlap_ms.status());
  auto expires = ParseExpiry(expires_in, expires_at);
  if (!expires.ok()) return Fail(argv[0], expires.status());
  auto conn = redis.Connect();
  if (!conn.ok()) return Fail(argv[0], conn.status());
  auto rotated = RotateApiKey(**conn, tenant, id, *overlap_ms, *expires, NowMs());
  if (!rotated.ok()) return Fail(argv[0], rotated.status());
  std::printf("%s\n", rotated->new_key.c_str());
  std::fprintf(stderr,
               "omniroute-ctl: stored key %s (%s) for tenant %s; the old key %s expires at %s\n",
               rotated->new_id.c_str(), rotated->old_key.name.c_str(), tenant.c_str(),
               rotated->old_key.id.c_str(), FormatTimeMs(rotated->old_key.expires_ms).c_str());
  LogKeyChange("keys.rotate", tenant, rotated->old_key.id, rotated->old_key.name);
  return kExitOk;
}

int ReindexKeys(int argc, char** argv) {
  RedisFlags redis;
  config::Flags flags(argv[0]);
  if (auto code =
          redis.Parse(flags,
                      "Adds keys stored by omniroute versions before `keys list` existed to "
                      "their tenant's index, so they are listed and can be revoked by id "
                      "(their creation time shows as '-'). Safe to run again.\n",
                      argc, argv)) {
    return *code;
  }
  auto conn = redis.Connect();
  if (!conn.ok()) return Fail(argv[0], conn.status());
  auto added = ReindexApiKeys(**conn);
  if (!added.ok()) return Fail(argv[0], added.status());
  std::printf("indexed %lld key(s)\n", static_cast<long long>(*added));
  return kExitOk;
}

}  // namespace

std::vector<Command> KeyCommands() {
  return {{"keys", "create", "create an API key (prints it)", CreateKey},
          {"keys", "list", "a tenant's keys: id, name, roles, agent, created, expires", ListKeys},
          {"keys", "rotate", "a new key for an old one; both work during --overlap", RotateKey},
          {"keys", "revoke", "delete a key (refused everywhere within 5 s)", RevokeKey},
          {"keys", "reindex", "index keys stored by older versions", ReindexKeys},
          {"create-key", "", "the same as `keys create`", CreateKey}};
}

}  // namespace omniroute::ctl
