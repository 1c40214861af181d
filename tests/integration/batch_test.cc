// The batch scripts against a real Redis: a SubmitInteractions batch, a classification batch and
// a routing batch are each one script call per tenant (and chunk), with the outcome of every
// item in its place, as if the items had been handled one by one.
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

class BatchTest : public RedisFixture {
 protected:
  // Reads up to `count` new entries of a tenant stream for a consumer group.
  std::vector<redis::StreamEntry> Read(const std::string& tenant, const std::string& stream,
                                       const std::string& group, int count) {
    TenantKeys keys(tenant);
    std::string key = absl::StrCat(keys.prefix(), ":", stream);
    (void)Cmd({"XGROUP", "CREATE", key, group, "0", "MKSTREAM"});
    auto r = Cmd({"XREADGROUP", "GROUP", group, "test", "COUNT", std::to_string(count), "STREAMS",
                  key, ">"});
    std::vector<redis::StreamEntry> out;
    if (r.elements.empty()) return out;
    for (const auto& e : r.elements[0].elements[1].elements) {
      out.push_back({tenant, e.elements[0].str, e.elements[1].elements[1].str});
    }
    return out;
  }
  int64_t Pending(const std::string& tenant, const std::string& stream, const std::string& group) {
    return Cmd({"XPENDING", absl::StrCat(TenantKeys(tenant).prefix(), ":", stream), group})
        .elements[0]
        .integer;
  }
};

TEST_F(BatchTest, ASubmitBatchLongerThanAChunkKeepsEveryOutcomeInItsPlace) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  std::vector<intake::Submission> subs;
  for (int i = 0; i < 2 * static_cast<int>(intake::kSubmitChunk) + 20; ++i) {
    subs.push_back(Chat("message " + std::to_string(i)));
  }
  subs[0].idempotency_key = "k";
  subs[1] = subs[0];  // a retry within the batch: the same interaction
  subs[2] = subs[0];
  subs[2].subject = "something else";  // the same key for another request
  subs[3].queue = "no-such-queue";     // refused
  subs[60] = subs[0];                  // in a later chunk: still the first one's
  std::vector<const intake::Submission*> batch;
  for (const auto& s : subs) batch.push_back(&s);
  auto results = store_->Submit(kTenant, batch);
  ASSERT_EQ(results.size(), subs.size());
  ASSERT_TRUE(results[0].ok()) << results[0].status();
  EXPECT_TRUE(results[0]->created);
  ASSERT_TRUE(results[1].ok());
  EXPECT_FALSE(results[1]->created);
  EXPECT_EQ(results[1]->interaction_id, results[0]->interaction_id);
  EXPECT_EQ(results[2].status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(results[3].status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(results[60].ok());
  EXPECT_EQ(results[60]->interaction_id, results[0]->interaction_id);
  std::set<std::string> ids;
  for (size_t i = 4; i < results.size(); ++i) {
    if (i == 60) continue;
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status();
    EXPECT_TRUE(results[i]->created);
    ids.insert(results[i]->interaction_id);
    EXPECT_EQ(HGet(keys_.Interaction(results[i]->interaction_id), "subject"), subs[i].subject);
  }
  EXPECT_EQ(ids.size(), subs.size() - 5);
  EXPECT_EQ(Int({"XLEN", keys_.IntakeStream()}), static_cast<int64_t>(ids.size()) + 1);
}

TEST_F(BatchTest, AClassificationBatchAcknowledgesEveryEntryAndRunsEachInteractionOnce) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(Submit(Chat("hello " + std::to_string(i))));
  auto entries = Read(kTenant, "s:intake", kClassificationGroup, 10);
  ASSERT_EQ(entries.size(), 3u);
  // An entry whose interaction is gone (expired) is acknowledged and skipped.
  ASSERT_EQ(Cmd({"DEL", keys_.Interaction(ids[1])}).integer, 1);
  ASSERT_TRUE(worker_->Handle(entries).ok());
  EXPECT_EQ(State(ids[0]), "classified");
  EXPECT_EQ(State(ids[2]), "classified");
  EXPECT_EQ(Pending(kTenant, "s:intake", kClassificationGroup), 0);
  EXPECT_EQ(Int({"XLEN", keys_.ClassifiedStream()}), 2);
  // Delivered again (at least once): nothing changes.
  ASSERT_TRUE(worker_->Handle(entries).ok());
  EXPECT_EQ(Int({"XLEN", keys_.ClassifiedStream()}), 2);
  EXPECT_EQ(EventTypes(ids[0]), (std::vector<std::string>{"submitted", "classified"}));
}

TEST_F(BatchTest, ARoutingBatchOfTwoTenantsAnswersEveryEntryInItsPlace) {
  AddQueue("general", {v1::CHANNEL_CHAT});
  RouteAllTo("general");
  ASSERT_TRUE(Login("ann", {{v1::CHANNEL_CHAT, 3}}).ok());
  const int n = static_cast<int>(routing::kEnqueueChunk) + 5;
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back(Submit(Chat("hello " + std::to_string(i))));
  ASSERT_TRUE(worker_->Handle(Read(kTenant, "s:intake", kClassificationGroup, 2 * n)).ok());

  // Another tenant's classified work, written as classification leaves it; one item names a
  // queue that tenant does not have.
  const std::string other = "other";
  TenantKeys okeys(other);
  ASSERT_TRUE(engine_->PutQueue(other, MakeQueue("general", {v1::CHANNEL_CHAT}, {}, 20)).ok());
  std::vector<std::string> other_ids;
  for (int i = 0; i < 3; ++i) {
    std::string id = absl::StrCat("0000000000000000000000000000000", i);
    other_ids.push_back(id);
    ASSERT_FALSE(
        Cmd({"HSET", okeys.Interaction(id), "id", id, "state", "classified", "queue",
             i == 1 ? "missing-queue" : "general", "channel", "2", "priority", "3", "skills", "{}"})
            .is_error());
    ASSERT_FALSE(Cmd({"XADD", okeys.ClassifiedStream(), "*", "ix", id}).is_error());
  }

  // One batch: the tenants' entries interleaved.
  auto mine = Read(kTenant, "s:classified", kRoutingGroup, 2 * n);
  auto theirs = Read(other, "s:classified", kRoutingGroup, 10);
  ASSERT_EQ(mine.size(), static_cast<size_t>(n));
  ASSERT_EQ(theirs.size(), 3u);
  std::vector<redis::StreamEntry> batch;
  for (size_t i = 0; i < mine.size(); ++i) {
    batch.push_back(mine[i]);
    if (i < theirs.size()) batch.push_back(theirs[i]);
  }
  auto results = engine_->Enqueue(batch);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), batch.size());
  int offered = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& r = (*results)[i];
    EXPECT_EQ(r.tenant, batch[i].tenant);
    std::string state =
        HGet(TenantKeys(batch[i].tenant).Interaction(batch[i].interaction_id), "state");
    if (batch[i].interaction_id == other_ids[1]) {
      EXPECT_EQ(r.outcome, "rejected:queue_not_found");
      EXPECT_EQ(state, "rejected");
    } else {
      EXPECT_EQ(r.outcome, "queued") << i;
      EXPECT_TRUE(state == "queued" || state == "offered") << state;
      offered += state == "offered";
    }
  }
  EXPECT_EQ(offered, 3);                // ann's capacity, in this tenant; the other has no agent
  EXPECT_EQ(OfferedTo(ids[0]), "ann");  // arrival order kept: the first three got the offers
  EXPECT_EQ(OfferedTo(ids[2]), "ann");
  EXPECT_EQ(Pending(kTenant, "s:classified", kRoutingGroup), 0);
  EXPECT_EQ(Pending(other, "s:classified", kRoutingGroup), 0);
  // Again (at least once): every entry is skipped, nothing changes.
  auto again = engine_->Enqueue(batch);
  ASSERT_TRUE(again.ok());
  for (const auto& r : *again) EXPECT_EQ(r.outcome.rfind("skipped:", 0), 0u) << r.outcome;
}

}  // namespace
}  // namespace omniroute
