#include "tools/demo/demo_options.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"

namespace omniroute::demo {
namespace {

Options WithKeys(const std::string& tenants, const std::string& admin,
                 const std::string& integrator, const std::string& agent) {
  Options o;
  o.tenant = tenants;
  o.admin_key = admin;
  o.integrator_key = integrator;
  o.agent_key = agent;
  return o;
}

// Expects an InvalidArgument whose message starts with `flag`.
void ExpectInvalid(const absl::Status& st, const std::string& flag) {
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_TRUE(absl::StartsWith(st.message(), flag)) << st;
}

TEST(DemoOptionsTest, OneTenantKeepsItsKeysWhole) {
  auto run = ValidateForRun(WithKeys("demo", "ka", "ki", "kg"));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->tenants.size(), 1u);
  EXPECT_EQ(run->tenants[0].tenant, "demo");
  EXPECT_EQ(run->tenants[0].admin_key, "ka");
  EXPECT_EQ(run->tenants[0].integrator_key, "ki");
  EXPECT_EQ(run->tenants[0].agent_key, "kg");
}

TEST(DemoOptionsTest, SeveralTenantsTakeTheirKeysByPosition) {
  auto run = ValidateForRun(WithKeys("demo1,demo4,demo7", "a1,a4,a7", "i1,i4,i7", "g1,g4,g7"));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->tenants.size(), 3u);
  EXPECT_EQ(run->tenants[1].tenant, "demo4");
  EXPECT_EQ(run->tenants[1].admin_key, "a4");
  EXPECT_EQ(run->tenants[1].integrator_key, "i4");
  EXPECT_EQ(run->tenants[1].agent_key, "g4");
  EXPECT_EQ(run->tenants[2].agent_key, "g7");
}

TEST(DemoOptionsTest, KeyListsMustMatchTheTenantsOneToOne) {
  ExpectInvalid(ValidateForRun(WithKeys("a,b", "a1,b1", "i1", "g1,g2")).status(),
                "--integrator-key needs one key per tenant");
  ExpectInvalid(ValidateForRun(WithKeys("a,b", "a1,b1", "i1,i2", "g1,g2,g3")).status(),
                "--agent-key needs one key per tenant");
  ExpectInvalid(ValidateForRun(WithKeys("a,b,c", "a1,,c1", "i1,i2,i3", "g1,g2,g3")).status(),
                "--admin-key needs one key per tenant");
}

TEST(DemoOptionsTest, TenantIdsAreCheckedAndUnique) {
  ExpectInvalid(ValidateForRun(WithKeys("a,{t:b}", "1,2", "1,2", "1,2")).status(), "--tenant: ");
  ExpectInvalid(ValidateForRun(WithKeys("a,,b", "1,2,3", "1,2,3", "1,2,3")).status(), "--tenant: ");
  ExpectInvalid(ValidateForRun(WithKeys("a,a", "1,2", "1,2", "1,2")).status(),
                "--tenant: 'a' is given twice");
  ExpectInvalid(ParseTenants(WithKeys("", "", "", ""), false).status(), "--tenant: ");
}

TEST(DemoOptionsTest, QueueStatsNeedsOnlyTheAdminKeys) {
  auto tenants = ParseTenants(WithKeys("a,b", "ka,kb", "", ""), false);
  ASSERT_TRUE(tenants.ok()) << tenants.status();
  ASSERT_EQ(tenants->size(), 2u);
  EXPECT_EQ((*tenants)[1].admin_key, "kb");
  ExpectInvalid(ParseTenants(WithKeys("a,b", "ka", "", ""), false).status(),
                "--admin-key needs one key per tenant");
  ExpectInvalid(ParseTenants(WithKeys("a,b", "ka,kb", "", ""), true).status(),
                "--integrator-key needs one key per tenant");
}

}  // namespace
}  // namespace omniroute::demo
