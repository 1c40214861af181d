// The workers' side of webhooks on a real Redis: fan-out through the consumer group, one lane
// per interaction delivering in feed order, leases that end, retries, dead letters.
#include <map>
#include <set>
#include <thread>

#include "services/webhooks/delivery_request.h"
#include "services/webhooks/webhook_validation.h"
#include "tests/integration/webhooks/webhook_fixture.h"

namespace omniroute::webhooks {
namespace {

class DeliveryQueueTest : public WebhookFixture {
 protected:
  // The event id of a lease's delivery.
  static std::string EventId(const Lease& l) { return l.entry.substr(0, l.entry.find('\n')); }
  static std::string Lane(const Lease& l) { return l.member.substr(l.member.find('|') + 1); }

  v1::WebhookDeadLetter Dead(const Lease& l, int attempts) {
    v1::WebhookDeadLetter d;
    d.set_delivery_id(DeliveryId(l.webhook_id(), EventId(l)));
    d.set_webhook_id(l.webhook_id());
    d.set_attempts(attempts);
    d.set_last_status(500);
    d.set_last_error("HTTP 500");
    return d;
  }
};

TEST_F(DeliveryQueueTest, EachInteractionIsALaneDeliveringInFeedOrder) {
  auto w = Create("https://example.com/");
  std::vector<std::string> a, b;
  for (int i = 0; i < 3; ++i) {
    a.push_back(Emit("queued", "ix-a"));
    b.push_back(Emit("queued", "ix-b"));
  }
  std::string agent_event = Emit("agent_state", "", {"agent", "ann", "state", "available"});
  auto fan = FanOut();
  EXPECT_EQ(fan.read, 7);
  EXPECT_EQ(fan.queued, 7);
  EXPECT_EQ(store_->Get(kTenant, w.id())->pending_deliveries(), 7);

  std::map<std::string, std::vector<std::string>> delivered;  // lane -> event ids
  for (int round = 0; round < 10; ++round) {
    auto leases = ClaimAll();
    if (leases.empty()) break;
    std::set<std::string> lanes;
    for (const auto& l : leases) {
      EXPECT_TRUE(lanes.insert(Lane(l)).second) << "two deliveries of one lane at once";
      EXPECT_EQ(l.url, "https://example.com/");
      EXPECT_EQ(l.attempts, 0);
    }
    // While leased, nothing more of these lanes is handed out.
    EXPECT_TRUE(ClaimAll().empty());
    for (const auto& l : leases) {
      delivered[Lane(l)].push_back(EventId(l));
      auto ok = queue_->Delivered(l);
      ASSERT_TRUE(ok.ok() && *ok) << ok.status();
    }
  }
  EXPECT_EQ(delivered["ix-a"], a);
  EXPECT_EQ(delivered["ix-b"], b);
  EXPECT_EQ(delivered["agent:ann"], std::vector<std::string>{agent_event});
  EXPECT_EQ(delivered.size(), 3u);
  EXPECT_EQ(store_->Get(kTenant, w.id())->pending_deliveries(), 0);
  EXPECT_EQ(conn_->Command({"ZCARD", keys_.WebhookDue()})->integer, 0);
  auto backlog = queue_->ReadBacklog(kTenant);
  ASSERT_TRUE(backlog.ok());
  EXPECT_EQ(backlog->pending, 0);
  EXPECT_EQ(backlog->unread, 0);
}

TEST_F(DeliveryQueueTest, AWebhookGetsTheEventsAfterItWasCreated) {
  auto first = Create("https://a.example.com/");
  Emit("submitted", "ix1");
  auto second = Create("https://b.example.com/");
  Emit("classified", "ix1");
  auto fan = FanOut();
  EXPECT_EQ(fan.read, 2);
  EXPECT_EQ(fan.queued, 3);
  EXPECT_EQ(store_->Get(kTenant, first.id())->pending_deliveries(), 2);
  EXPECT_EQ(store_->Get(kTenant, second.id())->pending_deliveries(), 1);
  // With every webhook gone, the group skips what happens meanwhile: a webhook created later
  // starts at the feed's end.
  ASSERT_TRUE(store_->Delete(kTenant, first.id()).ok());
  ASSERT_TRUE(store_->Delete(kTenant, second.id()).ok());
  for (int i = 0; i < 5; ++i) Emit("queued", "ix2");
  EXPECT_EQ(FanOut().read, 0);  // no webhooks: the feed is not read
  auto third = Create("https://c.example.com/");
  Emit("queued", "ix3");
  fan = FanOut();
  EXPECT_EQ(fan.read, 1);
  EXPECT_EQ(fan.queued, 1);
}

TEST_F(DeliveryQueueTest, TypesDisabledWebhooksAndTheCapDecideWhatIsQueued) {
  auto queued_only = Create("https://a.example.com/", {"queued"});
  auto disabled = Create("https://b.example.com/", {}, /*disabled=*/true);
  MakeQueue(QueueOptions{.lease_ms = 1000, .max_pending = 2, .dead_letter_max = 100});
  Emit("submitted", "ix1");
  Emit("queued", "ix1");
  Emit("queued", "ix2");
  Emit("queued", "ix3");  // the third pending delivery of queued_only: over the cap
  auto fan = FanOut();
  EXPECT_EQ(fan.read, 4);
  EXPECT_EQ(fan.queued, 2);
  EXPECT_EQ(fan.dropped, 1);
  EXPECT_EQ(store_->Get(kTenant, queued_only.id())->dropped_deliveries(), 1);
  EXPECT_EQ(store_->Get(kTenant, disabled.id())->pending_deliveries(), 0);
  for (const auto& l : ClaimAll()) EXPECT_EQ(l.webhook_id(), queued_only.id());
  EXPECT_EQ(FanOut().read, 0);  // the group has read everything
}

TEST_F(DeliveryQueueTest, ALeaseThatEndsHandsTheDeliveryToAnotherWorker) {
  Create("https://example.com/");
  Emit("queued", "ix1");
  Emit("offered", "ix1");
  FanOut();
  auto first = ClaimAll();
  ASSERT_EQ(first.size(), 1u);
  clock_.Advance(999);
  EXPECT_TRUE(ClaimAll().empty());
  clock_.Advance(2);  // the worker died: its lease ends
  auto second = ClaimAll();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(EventId(second[0]), EventId(first[0]));
  EXPECT_NE(second[0].token, first[0].token);
  // The first worker wakes up: its settle changes nothing.
  auto stale = queue_->Delivered(first[0]);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(*stale);
  EXPECT_TRUE(ClaimAll().empty());  // still leased to the second
  ASSERT_TRUE(*queue_->Delivered(second[0]));
  auto next = ClaimAll();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(EventId(next[0]), EventId(first[0]));  // the lane's second event now
  EXPECT_FALSE(*queue_->Delivered(second[0]));     // a token is never reused
}

TEST_F(DeliveryQueueTest, RetriesWaitTheirBackoffThenDeadLettersAreKeptAndRedelivered) {
  auto w = Create("https://example.com/");
  std::string e1 = Emit("queued", "ix1");
  std::string e2 = Emit("offered", "ix1");
  FanOut();
  auto l = ClaimAll();
  ASSERT_EQ(l.size(), 1u);
  ASSERT_TRUE(*queue_->Retry(l[0], clock_.NowMs() + 5000));
  clock_.Advance(4999);
  EXPECT_TRUE(ClaimAll().empty());  // the lane waits; its next event too
  clock_.Advance(1);
  l = ClaimAll();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(EventId(l[0]), e1);
  EXPECT_EQ(l[0].attempts, 1);
  ASSERT_TRUE(*queue_->DeadLetter(l[0], Dead(l[0], 2)));
  l = ClaimAll();  // the lane goes on with the next event at once
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(EventId(l[0]), e2);
  EXPECT_EQ(l[0].attempts, 0);
  ASSERT_TRUE(*queue_->Delivered(l[0]));

  auto page = store_->ListDeadLetters(kTenant, 10, 0);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->dead_letters.size(), 1u);
  EXPECT_EQ(page->total, 1);
  const auto& d = page->dead_letters[0];
  EXPECT_EQ(d.delivery_id(), DeliveryId(w.id(), e1));
  EXPECT_EQ(d.attempts(), 2);
  EXPECT_EQ(store_->Get(kTenant, w.id())->pending_deliveries(), 0);

  auto redelivered = store_->Redeliver(kTenant, {d.delivery_id(), DeliveryId(w.id(), "1-1")});
  ASSERT_TRUE(redelivered.ok()) << redelivered.status();
  EXPECT_EQ(redelivered->redelivered_size(), 1);
  EXPECT_EQ(redelivered->not_found_size(), 1);
  EXPECT_EQ(store_->ListDeadLetters(kTenant, 10, 0)->total, 0);
  l = ClaimAll();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(EventId(l[0]), e1);
  EXPECT_EQ(l[0].attempts, 0);  // attempts start over
  auto record = DecodeEntry(l[0].entry);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->id_text, e1);
}

TEST_F(DeliveryQueueTest, DeadLettersArePagedNewestFirstCappedAndDeletable) {
  auto w = Create("https://example.com/");
  MakeQueue(QueueOptions{.lease_ms = 1000, .max_pending = 1000, .dead_letter_max = 5});
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(DeliveryId(w.id(), Emit("queued", "ix" + std::to_string(i))));
  FanOut();
  auto leases = ClaimAll();
  ASSERT_EQ(leases.size(), 7u);
  // Park them in event order, so the newest dead letter is the last event.
  std::sort(leases.begin(), leases.end(),
            [](const Lease& x, const Lease& y) { return x.entry < y.entry; });
  for (const auto& l : leases) ASSERT_TRUE(*queue_->DeadLetter(l, Dead(l, 3)));
  std::vector<std::string> listed;
  int64_t before = 0;
  for (int page = 0; page < 5; ++page) {
    auto p = store_->ListDeadLetters(kTenant, 2, before);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->total, 5);
    for (const auto& d : p->dead_letters) listed.push_back(d.delivery_id());
    before = p->next_before;
    if (before == 0) break;
  }
  EXPECT_EQ(listed, (std::vector<std::string>{ids[6], ids[5], ids[4], ids[3], ids[2]}));
  EXPECT_EQ(conn_->Command({"EXISTS", keys_.WebhookDeadLetter(ids[0])})->integer, 0);
  auto deleted = store_->DeleteDeadLetters(kTenant, {ids[6], ids[0]});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(store_->ListDeadLetters(kTenant, 10, 0)->total, 4);
}

TEST_F(DeliveryQueueTest, DeletingAWebhookDropsItsLanesAndKeepsItsDeadLetters) {
  auto w = Create("https://example.com/");
  Emit("queued", "ix1");
  Emit("queued", "ix2");
  FanOut();
  auto l = ClaimAll();
  ASSERT_EQ(l.size(), 2u);
  ASSERT_TRUE(*queue_->DeadLetter(l[0], Dead(l[0], 1)));
  ASSERT_TRUE(store_->Delete(kTenant, w.id()).ok());
  clock_.Advance(5000);
  EXPECT_TRUE(ClaimAll().empty());
  EXPECT_EQ(conn_->Command({"ZCARD", keys_.WebhookDue()})->integer, 0);
  EXPECT_EQ(conn_->Command({"KEYS", "*wh:lane*"})->elements.size(), 0u);
  auto page = store_->ListDeadLetters(kTenant, 10, 0);
  ASSERT_EQ(page->total, 1);
  auto again = store_->Redeliver(kTenant, {page->dead_letters[0].delivery_id()});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->webhook_deleted_size(), 1);
  EXPECT_EQ(store_->ListDeadLetters(kTenant, 10, 0)->total, 1);
}

TEST_F(DeliveryQueueTest, ConcurrentFanOutsQueueEachEventOnce) {
  Create("https://example.com/");
  MakeQueue(QueueOptions{.lease_ms = 1000, .max_pending = 100000, .fanout_batch = 7});
  constexpr int kEvents = 300;
  std::thread writer([&] {
    auto conn = redis_->Connect();
    for (int i = 0; i < kEvents; ++i) {
      conn->Command(
          {"XADD", keys_.Events(), "*", "type", "queued", "ix", "ix" + std::to_string(i % 10)});
    }
  });
  std::atomic<int64_t> queued{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      while (!done.load() || queued.load() < kEvents) {
        auto r = queue_->FanOut(kTenant);
        if (r.ok()) queued += r->queued;
        if (done.load() && r.ok() && r->read == 0) break;
      }
    });
  }
  writer.join();
  done = true;
  for (auto& t : workers) t.join();
  EXPECT_EQ(queued.load(), kEvents);
  int64_t in_lanes = 0;
  for (int i = 0; i < 10; ++i) {
    auto n =
        conn_->Command({"LLEN", keys_.prefix() + ":wh:lane:" + store_->List(kTenant)->front().id() +
                                    "|ix" + std::to_string(i)});
    in_lanes += n->integer;
  }
  EXPECT_EQ(in_lanes, kEvents);
}

}  // namespace
}  // namespace omniroute::webhooks
