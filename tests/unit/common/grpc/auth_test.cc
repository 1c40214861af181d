#include "services/common/grpc/auth.h"

#include <gtest/gtest.h>

namespace omniroute {
namespace {

TEST(AuthTest, KeysHashToHexSha256AndRolesParseByExactName) {
  EXPECT_EQ(HashApiKey(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(HashApiKey("ork_acme_1"), HashApiKey("ork_acme_2"));

  for (Role role : {Role::kIntegrator, Role::kAgent, Role::kSupervisor, Role::kAdmin}) {
    auto parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok()) << RoleName(role);
    EXPECT_EQ(*parsed, role);
  }
  EXPECT_EQ(RoleName(Role::kSupervisor), "supervisor");
  for (const char* bad : {"", "Admin", "admin ", "root", "agents"}) {
    EXPECT_EQ(ParseRole(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  Principal p;
  p.roles = {Role::kAgent, Role::kSupervisor};
  EXPECT_TRUE(p.Has(Role::kAgent));
  EXPECT_TRUE(p.Has(Role::kSupervisor));
  EXPECT_FALSE(p.Has(Role::kAdmin));
}

}  // namespace
}  // namespace omniroute
