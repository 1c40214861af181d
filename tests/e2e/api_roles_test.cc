// Roles: every RPC of omniroute.v1 against every role, through the real services, checked
// against the roles table the README documents (section "Roles"). A key with a role the table
// allows gets past authorization (any answer but PERMISSION_DENIED / UNAUTHENTICATED: the
// requests are empty, so most end in INVALID_ARGUMENT); any other key gets PERMISSION_DENIED.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/e2e/api_generic_call.h"
#include "tests/e2e/api_test_util.h"
#include "tests/support/cluster.h"

namespace omniroute::api_test {
namespace {

const char* const kRoles[] = {"integrator", "agent", "supervisor", "admin"};

// "Service.Method" -> the roles marked in the README's table.
std::map<std::string, std::set<std::string>> ReadmeTable() {
  std::ifstream in(OMNIROUTE_README);
  std::map<std::string, std::set<std::string>> table;
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "#")) in_section = line == "### Roles";
    if (!in_section || !absl::StartsWith(line, "| `")) continue;
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    // "", " `Intake.SubmitInteraction` ", " x ", ... , ""
    if (cells.size() != 7) {
      ADD_FAILURE() << "README roles row with " << cells.size() << " cells: " << line;
      continue;
    }
    std::string rpc(absl::StripAsciiWhitespace(cells[1]));
    rpc = std::string(absl::StripSuffix(absl::StripPrefix(rpc, "`"), "`"));
    auto& roles = table[rpc];
    for (int i = 0; i < 4; ++i) {
      auto cell = absl::StripAsciiWhitespace(cells[2 + i]);
      if (cell == "yes")
        roles.insert(kRoles[i]);
      else if (!cell.empty())
        ADD_FAILURE() << "cell '" << cell << "' in: " << line;
    }
  }
  return table;
}

TEST(ApiRolesE2E, EveryRpcAgainstEveryRoleMatchesTheReadmeTable) {
  auto table = ReadmeTable();
  auto methods = ApiMethods();
  ASSERT_GE(methods.size(), 24u);
  std::set<std::string> in_protos;
  for (const auto* m : methods) in_protos.insert(m->service()->name() + "." + m->name());
  for (const auto& name : in_protos) EXPECT_TRUE(table.count(name)) << name << " not in README";
  for (const auto& [name, roles] : table) EXPECT_TRUE(in_protos.count(name)) << name << " no RPC";

  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("acme");
  cluster.CreateTenant("globex");
  auto channels = ServiceChannels(cluster.endpoints());
  int allowed = 0, refused = 0;
  for (const auto* m : methods) {
    std::string name = m->service()->name() + "." + m->name();
    for (const char* role : kRoles) {
      grpc::Status st = Call(channels.at(m->service()->name()), m, keys.at(role), "acme");
      bool may = table[name].count(role) > 0;
      if (may) {
        ++allowed;
        EXPECT_NE(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << name << " as " << role << ": " << st.error_message();
        EXPECT_NE(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name << " as " << role;
        // And not for another tenant's data with the same key.
        if (m->input_type()->FindFieldByName("tenant_id") != nullptr) {
          EXPECT_EQ(
              Call(channels.at(m->service()->name()), m, keys.at(role), "globex").error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
              << name << " as " << role << " naming another tenant";
        }
      } else {
        ++refused;
        EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << name << " as " << role << ": " << st.error_message();
      }
    }
    EXPECT_EQ(Call(channels.at(m->service()->name()), m, "ork_acme_unknown_key_000000000", "acme")
                  .error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << name << " with an unknown key";
  }
  std::printf("roles checked: %zu RPCs x 4 roles, %d allowed, %d refused\n", methods.size(),
              allowed, refused);
  EXPECT_GT(allowed, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace omniroute::api_test
