// API keys bound to an agent, expiring and rotated, against a real Redis: what Authenticator
// accepts (with the clock moved by hand) and what StoreApiKey / RotateApiKey store.
#include <gtest/gtest.h>

#include <chrono>

#include "absl/strings/match.h"
#include "services/common/api_keys.h"
#include "services/common/grpc/auth.h"
#include "services/common/keys.h"
#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class KeyLifecycleTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    // Expiries are wall-clock times (set by the tools from the system clock).
    clock_.Set(std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count());
    // A cache far longer than any expiry here: expiry must be checked on cached keys too.
    auth_ = std::make_unique<Authenticator>(pool_.get(), &clock_, 3'600'000);
  }
  static const RpcRoles& Row(const char* method) {
    const RpcRoles* row = FindRpcRoles(method);
    EXPECT_NE(row, nullptr) << method;
    static const RpcRoles kNone{"", {}};
    return row == nullptr ? kNone : *row;
  }
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(KeyLifecycleTest, AKeyBoundToAnAgentActsOnlyAsThatAgent) {
  auto bound = CreateApiKey(*conn_, ApiKeySpec{"acme", {Role::kAgent}, "desk-a7", "a7", 0});
  ASSERT_TRUE(bound.ok()) << bound.status();
  auto unbound = CreateApiKey(*conn_, "acme", {Role::kAgent}, "desktops");
  ASSERT_TRUE(unbound.ok());
  const RpcRoles& accept = Row("/omniroute.v1.Routing/AcceptOffer");
  ASSERT_TRUE(accept.acts_as_agent);

  auto own = auth_->AuthorizeKey(*bound, accept, "acme", "a7");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->agent, "a7");
  EXPECT_EQ(own->key_name, "desk-a7");
  EXPECT_EQ(own->key_id, HashApiKey(*bound).substr(0, kApiKeyIdLength));
  auto other = auth_->AuthorizeKey(*bound, accept, "acme", "a8");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(other.status().message(), "acts only as agent 'a7'"))
      << other.status();
  EXPECT_EQ(auth_->AuthorizeKey(*bound, accept, "acme", "").status().code(),
            absl::StatusCode::kPermissionDenied);
  // A handler that does not say which agent the call acts as refuses a bound key.
  EXPECT_EQ(auth_->AuthorizeKey(*bound, accept, "acme").status().code(),
            absl::StatusCode::kPermissionDenied);
  // Reads that act as no agent stay open to it; the unbound key acts as any agent.
  EXPECT_TRUE(auth_->AuthorizeKey(*bound, Row("/omniroute.v1.Routing/GetQueueStats"), "acme").ok());
  EXPECT_TRUE(auth_->AuthorizeKey(*unbound, accept, "acme", "a8").ok());
  EXPECT_TRUE(auth_->AuthorizeKey(*unbound, accept, "acme").ok());
  EXPECT_EQ(HGet(ApiKeyKey(HashApiKey(*bound)), "agent"), "a7");

  // A bound key has the agent role alone and a well-formed agent id.
  auto two_roles =
      CreateApiKey(*conn_, ApiKeySpec{"acme", {Role::kAgent, Role::kSupervisor}, "x", "a7", 0});
  EXPECT_EQ(two_roles.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(two_roles.status().message(), "roles:")) << two_roles.status();
  auto bad_agent = CreateApiKey(*conn_, ApiKeySpec{"acme", {Role::kAgent}, "x", "a 7", 0});
  EXPECT_EQ(bad_agent.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(bad_agent.status().message(), "agent")) << bad_agent.status();
}

TEST_F(KeyLifecycleTest, AnExpiredKeyIsRefusedEvenWhileCached) {
  const int64_t expires = clock_.NowMs() + 10'000;
  auto key = CreateApiKey(*conn_, ApiKeySpec{"acme", {Role::kAdmin}, "temp", "", expires});
  ASSERT_TRUE(key.ok()) << key.status();
  ASSERT_TRUE(auth_->AuthorizeKey(*key, RoleSet{Role::kAdmin}, "acme").ok());  // now cached
  clock_.Advance(9'999);
  EXPECT_TRUE(auth_->AuthorizeKey(*key, RoleSet{Role::kAdmin}, "acme").ok());
  clock_.Advance(1);
  auto expired = auth_->AuthorizeKey(*key, RoleSet{Role::kAdmin}, "acme");
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.status().message(), "API key expired");
  // Redis drops the record a while after the expiry; until then the list shows it.
  const int64_t pttl = Cmd({"PTTL", ApiKeyKey(HashApiKey(*key))}).integer;
  EXPECT_GT(pttl, kExpiredKeyKeptMs - 60'000);
  EXPECT_LE(pttl, kExpiredKeyKeptMs + 10'000);
  auto listed = FindApiKey(*conn_, "acme", HashApiKey(*key).substr(0, kApiKeyIdLength));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->expires_ms, expires);
  // Once Redis deleted such a record, the next list drops it from the tenant's index.
  auto gone = CreateApiKey(*conn_, ApiKeySpec{"acme", {Role::kAdmin}, "gone", "", expires});
  ASSERT_TRUE(gone.ok());
  Cmd({"DEL", ApiKeyKey(HashApiKey(*gone))});  // what PEXPIREAT does a week later
  EXPECT_EQ(Cmd({"SISMEMBER", TenantKeys("acme").ApiKeys(), HashApiKey(*gone)}).integer, 1);
  ASSERT_TRUE(ListApiKeys(*conn_, "acme").ok());
  EXPECT_EQ(Cmd({"SISMEMBER", TenantKeys("acme").ApiKeys(), HashApiKey(*gone)}).integer, 0);
  EXPECT_EQ(Cmd({"SISMEMBER", TenantKeys("acme").ApiKeys(), HashApiKey(*key)}).integer, 1);
  // Stored again without an expiry, it works again and no longer expires in Redis.
  ASSERT_TRUE(StoreApiKey(*conn_, *key, "acme", {Role::kAdmin}, "temp").ok());
  Authenticator fresh(pool_.get(), &clock_, 0);
  EXPECT_TRUE(fresh.AuthorizeKey(*key, RoleSet{Role::kAdmin}, "acme").ok());
  EXPECT_EQ(Cmd({"PTTL", ApiKeyKey(HashApiKey(*key))}).integer, -1);
}

TEST_F(KeyLifecycleTest, RotationKeepsBothKeysDuringTheOverlapThenOnlyTheNewOne) {
  auto old_key = CreateApiKey(*conn_, ApiKeySpec{"acme", {Role::kAgent}, "desk-a7", "a7", 0});
  ASSERT_TRUE(old_key.ok());
  const RpcRoles& accept = Row("/omniroute.v1.Routing/AcceptOffer");
  const std::string old_id = HashApiKey(*old_key).substr(0, kApiKeyIdLength);

  auto rotated = RotateApiKey(*conn_, "acme", old_id, 60'000, 0, clock_.NowMs());
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_NE(rotated->new_key, *old_key);
  EXPECT_EQ(rotated->new_id, HashApiKey(rotated->new_key).substr(0, kApiKeyIdLength));
  EXPECT_EQ(rotated->old_key.expires_ms, clock_.NowMs() + 60'000);
  auto fresh_new = FindApiKey(*conn_, "acme", rotated->new_id);
  ASSERT_TRUE(fresh_new.ok());
  EXPECT_EQ(fresh_new->name, "desk-a7");
  EXPECT_EQ(fresh_new->roles, "agent");
  EXPECT_EQ(fresh_new->agent, "a7");
  EXPECT_EQ(fresh_new->expires_ms, 0);

  // A replica that looks the old key up again sees its new expiry.
  Authenticator replica(pool_.get(), &clock_, 5000);
  EXPECT_TRUE(replica.AuthorizeKey(*old_key, accept, "acme", "a7").ok());
  EXPECT_TRUE(replica.AuthorizeKey(rotated->new_key, accept, "acme", "a7").ok());
  EXPECT_EQ(replica.AuthorizeKey(rotated->new_key, accept, "acme", "a8").status().code(),
            absl::StatusCode::kPermissionDenied);  // the binding carries over
  clock_.Advance(59'999);
  EXPECT_TRUE(replica.AuthorizeKey(*old_key, accept, "acme", "a7").ok());
  clock_.Advance(1);
  EXPECT_EQ(replica.AuthorizeKey(*old_key, accept, "acme", "a7").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(replica.AuthorizeKey(rotated->new_key, accept, "acme", "a7").ok());

  // An expired key is not rotated; a rotation keeps an earlier expiry of the old key.
  auto again = RotateApiKey(*conn_, "acme", old_id, 60'000, 0, clock_.NowMs());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
  auto soon =
      CreateApiKey(*conn_, ApiKeySpec{"acme", {Role::kAdmin}, "ops", "", clock_.NowMs() + 1'000});
  ASSERT_TRUE(soon.ok());
  auto kept = RotateApiKey(*conn_, "acme", HashApiKey(*soon).substr(0, kApiKeyIdLength), 60'000, 0,
                           clock_.NowMs());
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->old_key.expires_ms, clock_.NowMs() + 1'000);
  EXPECT_EQ(RotateApiKey(*conn_, "acme", "0123456789ab", 1, 0, clock_.NowMs()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace omniroute
