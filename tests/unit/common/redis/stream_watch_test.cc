#include "services/common/redis/stream_watch.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace omniroute::redis {
namespace {

RecordPtr Record(uint64_t ms, uint64_t seq = 0) {
  auto r = std::make_shared<StreamRecord>();
  r->id = {ms, seq};
  r->id_text = r->id.ToString();
  return r;
}

std::vector<std::string> TakeAll(StreamWatch& w) {
  std::vector<std::string> out;
  while (auto r = w.Next()) out.push_back((*r)->id_text);
  return out;
}

TEST(StreamIdTest, ParsesAndOrdersLikeRedis) {
  EXPECT_EQ(StreamId::Parse("1700000000000-3")->ms, 1700000000000u);
  EXPECT_EQ(StreamId::Parse("1700000000000-3")->seq, 3u);
  EXPECT_EQ(StreamId::Parse("18446744073709551615-18446744073709551615")->ToString(),
            "18446744073709551615-18446744073709551615");
  for (const char* bad : {"", "-", "1", "1-", "-1", "a-1", "1-b", "$", "1-2-3", " 1-2",
                          "18446744073709551616-0", "99999999999999999999-0"}) {
    EXPECT_FALSE(StreamId::Parse(bad).has_value()) << bad;
  }
  EXPECT_LT(*StreamId::Parse("9-5"), *StreamId::Parse("10-0"));
  EXPECT_LT(*StreamId::Parse("10-2"), *StreamId::Parse("10-10"));
  EXPECT_EQ(*StreamId::Parse("0-0"), StreamId{});
}

TEST(StreamWatchTest, TakesOnlyWhatFollowsItsCursorAndNeverAcrossAGap) {
  int ready = 0;
  StreamWatch w("k", {5, 0}, 10, [&] { ++ready; });
  // Read after 7-0: taking it would skip 5-0..7-0.
  w.Offer({Record(8)}, {7, 0});
  EXPECT_EQ(w.taken(), 0u);
  EXPECT_EQ(ready, 0);
  // Read after 3-0: 4 and 5 are old, 6 and 7 follow.
  w.Offer({Record(4), Record(5), Record(6), Record(7)}, {3, 0});
  EXPECT_EQ(TakeAll(w), (std::vector<std::string>{"6-0", "7-0"}));
  EXPECT_EQ(ready, 1);
  EXPECT_EQ(w.ReadAfter()->ToString(), "7-0");
  w.Offer({Record(7), Record(8)}, {7, 0});
  EXPECT_EQ(TakeAll(w), (std::vector<std::string>{"8-0"}));
}

TEST(StreamWatchTest, AFullWatchPausesUntilHalfIsRead) {
  int resumed = 0;
  StreamWatch w("k", {}, 4, nullptr);
  w.SetResumeHook([&] { ++resumed; });
  w.Offer({Record(1), Record(2), Record(3), Record(4), Record(5), Record(6)}, {});
  EXPECT_EQ(w.taken(), 4u);
  EXPECT_FALSE(w.ReadAfter().has_value());
  ASSERT_TRUE(w.Next().has_value());
  EXPECT_FALSE(w.ReadAfter().has_value()) << "3 of 4 held: still paused";
  EXPECT_EQ(resumed, 0);
  ASSERT_TRUE(w.Next().has_value());
  EXPECT_EQ(resumed, 1);
  EXPECT_EQ(w.ReadAfter()->ToString(), "4-0") << "resumes after the last record it took";
  w.Offer({Record(5), Record(6)}, {4, 0});
  EXPECT_EQ(TakeAll(w), (std::vector<std::string>{"3-0", "4-0", "5-0", "6-0"}));
}

TEST(StreamWatchTest, ClosedWatchKeepsItsRecordsAndTakesNoMore) {
  int ready = 0;
  StreamWatch w("k", {}, 4, [&] { ++ready; });
  w.Offer({Record(1)}, {});
  w.Close(absl::UnavailableError("redis down"));
  EXPECT_EQ(ready, 2);
  EXPECT_FALSE(w.ReadAfter().has_value());
  w.Offer({Record(2)}, {1, 0});
  EXPECT_EQ(TakeAll(w), (std::vector<std::string>{"1-0"}));
  ASSERT_TRUE(w.closed().has_value());
  EXPECT_EQ(w.closed()->code(), absl::StatusCode::kUnavailable);
  w.Close(absl::OkStatus());  // the first close wins
  EXPECT_EQ(w.closed()->code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace omniroute::redis
