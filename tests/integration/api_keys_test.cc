// The per-tenant index of API keys (api_keys.h) against a real Redis: what StoreApiKey writes,
// what ListApiKeys shows, what RevokeApiKey removes, and the reindex of keys stored without it.
#include "services/common/api_keys.h"

#include <gtest/gtest.h>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class ApiKeysTest : public RedisFixture {
 protected:
  // The keys ListApiKeys shows for `tenant`, by name (fails the test on an error).
  std::map<std::string, ApiKeyInfo> Listed(const std::string& tenant) {
    auto keys = ListApiKeys(*conn_, tenant);
    EXPECT_TRUE(keys.ok()) << keys.status();
    std::map<std::string, ApiKeyInfo> out;
    if (keys.ok()) {
      for (const auto& k : *keys) out[k.name] = k;
    }
    return out;
  }
};

TEST_F(ApiKeysTest, ListShowsIdNameRolesAndCreationButNeverTheKey) {
  auto crm = CreateApiKey(*conn_, "globex", {Role::kIntegrator, Role::kAgent}, "crm");
  auto ops = CreateApiKey(*conn_, "globex", {Role::kAdmin}, "ops");
  ASSERT_TRUE(crm.ok() && ops.ok());
  auto listed = Listed("globex");
  ASSERT_EQ(listed.size(), 2u);
  const auto& k = listed["crm"];
  EXPECT_EQ(k.hash, HashApiKey(*crm));
  EXPECT_EQ(k.id, k.hash.substr(0, kApiKeyIdLength));
  EXPECT_EQ(k.roles, "integrator,agent");
  EXPECT_GT(k.created_ms, 1600000000000);
  EXPECT_EQ(listed["ops"].roles, "admin");
  // Another tenant's list holds only its own keys (here the fixture's).
  auto acme = Listed(kTenant);
  ASSERT_EQ(acme.size(), 1u);
  EXPECT_EQ(acme.begin()->first, "fixture");
}

TEST_F(ApiKeysTest, StoringAgainKeepsTheCreationTimeAndMovingTenantsLeavesTheOldIndex) {
  const std::string key = "k8s-secret-admin-key-0123456789abcdef";
  ASSERT_TRUE(StoreApiKey(*conn_, key, "globex", {Role::kAdmin}, "helm").ok());
  const int64_t created = Listed("globex")["helm"].created_ms;
  Cmd({"HSET", ApiKeyKey(HashApiKey(key)), "created_ms", std::to_string(created - 5000)});
  ASSERT_TRUE(StoreApiKey(*conn_, key, "globex", {Role::kAdmin, Role::kSupervisor}, "helm").ok());
  auto again = Listed("globex");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again["helm"].created_ms, created - 5000);
  EXPECT_EQ(again["helm"].roles, "admin,supervisor");
  ASSERT_TRUE(StoreApiKey(*conn_, key, "initech", {Role::kAdmin}, "helm").ok());
  EXPECT_TRUE(Listed("globex").empty());
  EXPECT_EQ(Listed("initech").size(), 1u);
}

TEST_F(ApiKeysTest, RevokeDeletesTheKeyByIdOfItsOwnTenantOnly) {
  auto crm = CreateApiKey(*conn_, "globex", {Role::kIntegrator}, "crm");
  ASSERT_TRUE(crm.ok());
  const std::string hash = HashApiKey(*crm), id = hash.substr(0, kApiKeyIdLength);
  // Another tenant cannot revoke it; malformed ids are refused naming the field.
  EXPECT_EQ(RevokeApiKey(*conn_, kTenant, id).status().code(), absl::StatusCode::kNotFound);
  for (const std::string& bad :
       {std::string("abc"), std::string("ZZZZZZZZZZZZ"), std::string(65, 'a')}) {
    auto st = RevokeApiKey(*conn_, "globex", bad).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(st.message().substr(0, 3), "id:") << st;
  }
  EXPECT_EQ(HGet(ApiKeyKey(hash), "tenant"), "globex");
  auto revoked = RevokeApiKey(*conn_, "globex", id);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->name, "crm");
  EXPECT_EQ(HGet(ApiKeyKey(hash), "tenant"), "");
  EXPECT_EQ(Int({"SISMEMBER", TenantKeys("globex").ApiKeys(), hash}), 0);
  EXPECT_TRUE(Listed("globex").empty());
  EXPECT_EQ(RevokeApiKey(*conn_, "globex", id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ApiKeysTest, ReindexAddsKeysStoredWithoutTheIndexOnce) {
  // As an older version stored a key: the hash alone, no index entry, no creation time.
  const std::string hash = HashApiKey("an-old-key-stored-before-the-index-0001");
  Cmd({"HSET", ApiKeyKey(hash), "tenant", "globex", "roles", "agent", "name", "legacy"});
  EXPECT_TRUE(Listed("globex").empty());
  auto added = ReindexApiKeys(*conn_);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 1);  // the fixture's key was indexed when stored
  auto listed = Listed("globex");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed["legacy"].created_ms, 0);
  EXPECT_EQ(*ReindexApiKeys(*conn_), 0);
}

}  // namespace
}  // namespace omniroute
