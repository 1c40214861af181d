// The Admin side of webhooks on a real Redis: create, read, replace, delete, rotate, the
// per-tenant limit, and the tenants the workers visit.
#include <set>

#include "services/webhooks/webhook_validation.h"
#include "tests/integration/webhooks/webhook_fixture.h"

namespace omniroute::webhooks {
namespace {

using WebhookStoreTest = WebhookFixture;

TEST_F(WebhookStoreTest, CreateAssignsAnIdAndASecretShownOnce) {
  v1::Webhook w;
  w.set_url("https://hooks.example.com/omniroute");
  w.add_event_types("queued");
  w.set_description("CRM sync");
  w.set_created_ms(42);          // output only: ignored
  w.set_pending_deliveries(99);  // output only: ignored
  auto created = store_->Put(kTenant, w);
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Webhook& got = created->webhook;
  EXPECT_TRUE(ValidateWebhookId("id", got.id()).ok()) << got.id();
  EXPECT_EQ(created->secret.substr(0, 6), "whsec_");
  EXPECT_EQ(created->secret.size(), 6u + 64u);
  EXPECT_EQ(got.url(), w.url());
  EXPECT_EQ(got.description(), "CRM sync");
  EXPECT_EQ(got.created_ms(), clock_.NowMs());
  EXPECT_EQ(got.pending_deliveries(), 0);
  EXPECT_FALSE(got.disabled());

  clock_.Advance(5000);
  v1::Webhook changed = got;
  changed.set_url("https://hooks.example.com/v2");
  changed.clear_event_types();
  changed.set_disabled(true);
  auto replaced = store_->Put(kTenant, changed);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(replaced->secret, "");  // a replace shows no secret
  EXPECT_EQ(replaced->webhook.id(), got.id());
  EXPECT_EQ(replaced->webhook.created_ms(), got.created_ms());
  EXPECT_EQ(replaced->webhook.updated_ms(), clock_.NowMs());
  EXPECT_TRUE(replaced->webhook.disabled());
  auto secret = conn_->Command({"HGET", keys_.Webhook(got.id()), "secret"});
  EXPECT_EQ(secret->str, created->secret);  // kept

  auto tenants = queue_->Tenants();
  ASSERT_TRUE(tenants.ok());
  EXPECT_EQ(*tenants, std::vector<std::string>{kTenant});
}

TEST_F(WebhookStoreTest, UnknownIdsAreNotFoundAndDeleteRemovesTheWebhook) {
  v1::Webhook ghost;
  ghost.set_id("wh_000000000000000000000000");
  ghost.set_url("https://example.com/");
  EXPECT_TRUE(absl::IsNotFound(store_->Put(kTenant, ghost).status()));
  EXPECT_TRUE(absl::IsNotFound(store_->Get(kTenant, ghost.id()).status()));
  EXPECT_TRUE(absl::IsNotFound(store_->Delete(kTenant, ghost.id())));
  EXPECT_TRUE(absl::IsNotFound(store_->RotateSecret(kTenant, ghost.id(), 0).status()));

  auto a = Create("https://a.example.com/");
  auto b = Create("https://b.example.com/");
  auto list = store_->List(kTenant);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_LT((*list)[0].id(), (*list)[1].id());  // by id
  ASSERT_TRUE(store_->Delete(kTenant, a.id()).ok());
  EXPECT_TRUE(absl::IsNotFound(store_->Get(kTenant, a.id()).status()));
  list = store_->List(kTenant);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id(), b.id());
  EXPECT_EQ(conn_->Command({"EXISTS", keys_.Webhook(a.id())})->integer, 0);
  // Another tenant sees none of them.
  EXPECT_TRUE(store_->List("globex")->empty());
  EXPECT_TRUE(absl::IsNotFound(store_->Get("globex", b.id()).status()));
}

TEST_F(WebhookStoreTest, ATenantHasAtMostFiftyWebhooks) {
  for (int i = 0; i < kMaxWebhooks; ++i) Create("https://example.com/" + std::to_string(i));
  v1::Webhook w;
  w.set_url("https://example.com/one-too-many");
  auto st = store_->Put(kTenant, w).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(st)) << st;
  EXPECT_EQ(store_->List(kTenant)->size(), static_cast<size_t>(kMaxWebhooks));
}

TEST_F(WebhookStoreTest, RotationKeepsThePreviousSecretForItsOverlap) {
  auto w = Create("https://example.com/");
  auto old = conn_->Command({"HGET", keys_.Webhook(w.id()), "secret"})->str;
  auto rotated = store_->RotateSecret(kTenant, w.id(), 3600);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_NE(rotated->secret, old);
  EXPECT_EQ(rotated->webhook.previous_secret_expires_ms(), clock_.NowMs() + 3600 * 1000);
  // A claimed delivery carries both secrets while the overlap lasts.
  Emit("queued", "ix1");
  FanOut();
  auto leases = ClaimAll();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].secret, rotated->secret);
  EXPECT_EQ(leases[0].previous_secret, old);
  // Rotating again with no overlap drops the previous one at once.
  auto again = store_->RotateSecret(kTenant, w.id(), 0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->webhook.previous_secret_expires_ms(), 0);
  clock_.Advance(2000);  // past the first lease
  leases = ClaimAll();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].secret, again->secret);
  EXPECT_EQ(leases[0].previous_secret, "");
}

}  // namespace
}  // namespace omniroute::webhooks
