// keys create|list|revoke|reindex (and create-key, the name `keys create` had first): API keys,
// straight on Redis, so they work before any key exists.
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_split.h"
#include "services/common/api_keys.h"
#include "services/common/grpc/auth.h"
#include "tools/ctl/ctl.h"

namespace omniroute::ctl {
namespace {

int CreateKey(int argc, char** argv) {
  RedisFlags redis;
  std::string tenant, roles_csv, name = "cli", key_env;
  config::Flags flags(argv[0]);
  flags.Add("tenant", &tenant, "tenant id, [A-Za-z0-9_-]{1,64}");
  flags.Add("roles", &roles_csv, "comma-separated roles: integrator, agent, supervisor, admin");
  flags.Add("name", &name, "a label for the key (shown by `keys list`)");
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
  std::vector<Role> roles;
  for (auto r : absl::StrSplit(roles_csv, ',', absl::SkipEmpty())) {
    auto role = ParseRole(r);
    if (!role.ok()) return Fail(argv[0], role.status());
    roles.push_back(*role);
  }
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
    if (auto st = StoreApiKey(**conn, key, tenant, roles, name); !st.ok()) {
      return Fail(argv[0], st);
    }
  } else {
    auto created = CreateApiKey(**conn, tenant, roles, name);
    if (!created.ok()) return Fail(argv[0], created.status());
    key = *created;
    std::printf("%s\n", key.c_str());
  }
  std::fprintf(stderr, "omniroute-ctl: stored key %s for tenant %s (roles %s)\n",
               HashApiKey(key).substr(0, kApiKeyIdLength).c_str(), tenant.c_str(),
               roles_csv.c_str());
  return kExitOk;
}

int ListKeys(int argc, char** argv) {
  RedisFlags redis;
  std::string tenant;
  config::Flags flags(argv[0]);
  flags.Add("tenant", &tenant, "tenant id");
  if (auto code = redis.Parse(flags,
                              "Lists the tenant's API keys, oldest first: key id (the first 12 hex "
                              "digits of the key's SHA-256), name, roles and when it was created. "
                              "The keys themselves are not stored, so never shown.\n",
                              argc, argv)) {
    return *code;
  }
  auto conn = redis.Connect();
  if (!conn.ok()) return Fail(argv[0], conn.status());
  auto keys = ListApiKeys(**conn, tenant);
  if (!keys.ok()) return Fail(argv[0], keys.status());
  std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "ROLES", "CREATED"}};
  for (const auto& k : *keys) rows.push_back({k.id, k.name, k.roles, FormatTimeMs(k.created_ms)});
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
          {"keys", "list", "a tenant's keys: id, name, roles, created", ListKeys},
          {"keys", "revoke", "delete a key (refused everywhere within 5 s)", RevokeKey},
          {"keys", "reindex", "index keys stored by older versions", ReindexKeys},
          {"create-key", "", "the same as `keys create`", CreateKey}};
}

}  // namespace omniroute::ctl
