// API key checks against a real Redis.
#include "services/common/grpc/auth.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class AuthenticatorTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    auto key = CreateApiKey(*conn_, "acme", {Role::kIntegrator, Role::kSupervisor}, "crm");
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = *key;
    auth_ = std::make_unique<Authenticator>(pool_.get(), &clock_, 5000);
  }
  std::string key_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, ValidKeyYieldsItsTenantAndRoles) {
  auto p = auth_->AuthorizeKey(key_, RoleSet{Role::kIntegrator}, "acme");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->tenant, "acme");
  EXPECT_TRUE(p->Has(Role::kIntegrator));
  EXPECT_TRUE(p->Has(Role::kSupervisor));
  EXPECT_FALSE(p->Has(Role::kAdmin));
  // Any one of the listed roles suffices; an empty tenant means the key's own.
  auto own = auth_->AuthorizeKey(key_, RoleSet{Role::kAdmin, Role::kSupervisor}, "");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->tenant, "acme");
  // Only the hash of the key is stored.
  EXPECT_EQ(HGet(ApiKeyKey(HashApiKey(key_)), "tenant"), "acme");
  EXPECT_EQ(HGet(ApiKeyKey(HashApiKey(key_)), "roles"), "integrator,supervisor");
  EXPECT_TRUE(Scan("*" + key_ + "*").empty());
}

TEST_F(AuthenticatorTest, UnknownKeyIsUnauthenticatedAndARevokedKeyStopsAfterTheCache) {
  auto unknown = auth_->AuthorizeKey("ork_acme_not-a-real-key", RoleSet{Role::kIntegrator}, "acme");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnauthenticated) << unknown.status();
  EXPECT_EQ(auth_->AuthorizeKey("", RoleSet{Role::kIntegrator}, "").status().code(),
            absl::StatusCode::kUnauthenticated);

  ASSERT_TRUE(auth_->AuthorizeKey(key_, RoleSet{Role::kIntegrator}, "acme").ok());
  Cmd({"DEL", ApiKeyKey(HashApiKey(key_))});
  clock_.Advance(4999);
  EXPECT_TRUE(auth_->AuthorizeKey(key_, RoleSet{Role::kIntegrator}, "acme").ok());  // still cached
  clock_.Advance(1);
  EXPECT_EQ(auth_->AuthorizeKey(key_, RoleSet{Role::kIntegrator}, "acme").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, MissingRoleOrAnotherTenantIsPermissionDenied) {
  auto no_role = auth_->AuthorizeKey(key_, RoleSet{Role::kAgent, Role::kAdmin}, "acme");
  EXPECT_EQ(no_role.status().code(), absl::StatusCode::kPermissionDenied) << no_role.status();
  auto other = auth_->AuthorizeKey(key_, RoleSet{Role::kIntegrator}, "globex");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied) << other.status();
  // A key of the other tenant does not open acme either.
  auto globex = CreateApiKey(*conn_, "globex", {Role::kAdmin}, "ops");
  ASSERT_TRUE(globex.ok());
  EXPECT_EQ(auth_->AuthorizeKey(*globex, RoleSet{Role::kAdmin}, "acme").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(auth_->AuthorizeKey(*globex, RoleSet{Role::kAdmin}, "globex").ok());
}

TEST_F(AuthenticatorTest, AStoredKeyOfTheCallersChoiceWorksAndStoringItAgainIsHarmless) {
  const std::string chosen = "k8s-secret-admin-key-0123456789abcdef";
  ASSERT_TRUE(StoreApiKey(*conn_, chosen, "acme", {Role::kAdmin}, "helm-bootstrap").ok());
  ASSERT_TRUE(StoreApiKey(*conn_, chosen, "acme", {Role::kAdmin}, "helm-bootstrap").ok());
  auto p = auth_->AuthorizeKey(chosen, RoleSet{Role::kAdmin}, "acme");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->tenant, "acme");
  EXPECT_EQ(HGet(ApiKeyKey(HashApiKey(chosen)), "name"), "helm-bootstrap");
  EXPECT_TRUE(Scan("*" + chosen + "*").empty());
}

TEST_F(AuthenticatorTest, AStoredKeyMustBeLongAndPrintableAndNeedsARoleAndATenant) {
  for (const std::string bad :
       {std::string("short-key"), std::string("has a space in it 0123456789"),
        std::string(257, 'k'), std::string("tab\tinside-0123456789abcdef")}) {
    auto s = StoreApiKey(*conn_, bad, "acme", {Role::kAdmin}, "x");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(HGet(ApiKeyKey(HashApiKey(bad)), "tenant"), "");
  }
  const std::string good = "another-good-key-0123456789abcdef";
  EXPECT_EQ(StoreApiKey(*conn_, good, "acme", {}, "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StoreApiKey(*conn_, good, "bad tenant", {Role::kAdmin}, "x").code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace omniroute

namespace omniroute {
namespace {

// A Redis that answers "not now" (here BUSY: a script runs past busy-reply-threshold; LOADING
// after a restart behaves alike) makes a key look-up UNAVAILABLE, never UNAUTHENTICATED, and a
// routing transition UNAVAILABLE, not INTERNAL: the client retries instead of giving up.
TEST_F(AuthenticatorTest, ARedisBusyWithAScriptIsUnavailableNeverUnauthenticated) {
  ASSERT_TRUE(conn_->Command({"CONFIG", "SET", "busy-reply-threshold", "20"}).ok());
  std::thread busy([this] {
    auto c = redis_->Connect();
    (void)c->Command({"EVAL", "while true do end", "0"});  // ends when killed (or times out)
  });
  auto control = redis_->Connect();
  bool is_busy = false;
  for (int i = 0; i < 100 && !is_busy; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto r = control->Command({"PING"});
    is_busy = r.ok() && r->is_error() && absl::StartsWith(r->str, "BUSY");
  }
  EXPECT_TRUE(is_busy) << "Redis never answered BUSY";
  auto looked_up = auth_->AuthorizeKey(key_, RoleSet{Role::kIntegrator}, "acme");
  EXPECT_EQ(looked_up.status().code(), absl::StatusCode::kUnavailable) << looked_up.status();
  auto state = engine_->SetAgentState("acme", {"a1", "available", {}, {}});
  EXPECT_EQ(state.status().code(), absl::StatusCode::kUnavailable) << state.status();
  auto accepted = engine_->Accept("acme", "a1", "01a24bd8293800007a2542143fc27529");
  EXPECT_EQ(accepted.status().code(), absl::StatusCode::kUnavailable) << accepted.status();
  auto completed = engine_->Complete("acme", "a1", "01a24bd8293800007a2542143fc27529");
  EXPECT_EQ(completed.status().code(), absl::StatusCode::kUnavailable) << completed.status();
  auto get = control->Command({"GET", "x"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(redis::ReplyError(*get, "GET x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(redis::ReplyError(redis::Reply{redis::Reply::Type::kError, "ERR wrong"}, "x").code(),
            absl::StatusCode::kInternal);
  (void)control->Command({"SCRIPT", "KILL"});
  busy.join();
  // Answering again: the same key and call work.
  EXPECT_TRUE(auth_->AuthorizeKey(key_, RoleSet{Role::kIntegrator}, "acme").ok());
  EXPECT_TRUE(engine_->SetAgentState("acme", {"a1", "available", {}, {}}).ok());
}

}  // namespace
}  // namespace omniroute
