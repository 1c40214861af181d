// omniroute-ctl: operator commands that work on Redis directly (bootstrap before any API key
// exists).
//   omniroute-ctl create-key --tenant T --roles integrator,agent,admin [--name N] [--redis-url U]
//                            [--key-from-env VAR]
// prints the new API key on stdout (only its SHA-256 is stored). With --key-from-env the key is
// not generated but read from the environment variable VAR (e.g. filled from a Kubernetes
// Secret), stored, and not printed; storing the same key again is harmless.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/common/build_info.h"
#include "services/common/config/flags.h"
#include "services/common/grpc/auth.h"
#include "services/common/redis/redis_client.h"

int main(int argc, char** argv) {
  using namespace omniroute;
  const char* usage =
      "usage: omniroute-ctl create-key --tenant T --roles integrator,agent,supervisor,admin "
      "[--name N] [--redis-url U] [--key-from-env VAR]\n"
      "       omniroute-ctl --help | --version\n";
  std::string first = argc > 1 ? argv[1] : "";
  if (first == "--help" || first == "-h" || first == "help") {
    std::fputs(usage, stdout);
    return 0;
  }
  if (first == "--version") {
    std::printf("%s\n", VersionLine("omniroute-ctl").c_str());
    return 0;
  }
  if (first != "create-key") {
    std::fputs(usage, stderr);
    return 2;
  }
  std::string redis_url = "redis://127.0.0.1:6379", tenant, roles_csv, name = "cli", key_env;
  config::Flags flags("omniroute-ctl create-key");
  flags.Add("redis-url", &redis_url, "Redis address");
  flags.Add("tenant", &tenant, "tenant id, [A-Za-z0-9_-]{1,64}");
  flags.Add("roles", &roles_csv, "comma-separated roles");
  flags.Add("name", &name, "a label for the key");
  flags.Add("key-from-env", &key_env,
            "store the key held by this environment variable instead of generating one");
  if (auto st = flags.Parse(argc - 1, argv + 1); !st.ok()) {
    bool asked = st.code() == absl::StatusCode::kNotFound;  // --help, --version
    std::fprintf(asked ? stdout : stderr, "%s\n", std::string(st.message()).c_str());
    return asked ? 0 : 2;
  }
  std::vector<Role> roles;
  for (auto r : absl::StrSplit(roles_csv, ',', absl::SkipEmpty())) {
    auto role = ParseRole(r);
    if (!role.ok()) {
      std::fprintf(stderr, "omniroute-ctl: %s\n", std::string(role.status().message()).c_str());
      return 2;
    }
    roles.push_back(*role);
  }
  const char* given_key = nullptr;
  if (!key_env.empty()) {
    given_key = std::getenv(key_env.c_str());
    if (given_key == nullptr || *given_key == '\0') {
      std::fprintf(stderr, "omniroute-ctl: --key-from-env: %s is not set or empty\n",
                   key_env.c_str());
      return 2;
    }
  }
  auto endpoint = redis::ParseUrl(redis_url);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "omniroute-ctl: %s\n", std::string(endpoint.status().message()).c_str());
    return 2;
  }
  auto conn = redis::Connection::Open(*endpoint, std::chrono::milliseconds(3000));
  if (!conn.ok()) {
    std::fprintf(stderr, "omniroute-ctl: %s\n", std::string(conn.status().message()).c_str());
    return 1;
  }
  if (given_key != nullptr) {
    if (auto st = StoreApiKey(**conn, given_key, tenant, roles, name); !st.ok()) {
      std::fprintf(stderr, "omniroute-ctl: %s\n", std::string(st.message()).c_str());
      return st.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
    }
    std::fprintf(stderr, "omniroute-ctl: stored the key from %s for tenant %s\n", key_env.c_str(),
                 tenant.c_str());
    return 0;
  }
  auto key = CreateApiKey(**conn, tenant, roles, name);
  if (!key.ok()) {
    std::fprintf(stderr, "omniroute-ctl: %s\n", std::string(key.status().message()).c_str());
    return 1;
  }
  std::printf("%s\n", key->c_str());
  return 0;
}
