// Business hours per queue, in the queue's time zone: closed queues overflow or reject.
#include "services/common/business_hours.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/integration/redis_fixture.h"

namespace omniroute {
namespace {

// 2026-11-23 is a Monday; Berlin is UTC+1 in November.
constexpr int64_t kMonday0800Utc = 1795420800000;  // 09:00 in Berlin
constexpr int64_t kMonday1630Utc = 1795451400000;  // 17:30 in Berlin
constexpr int64_t kSaturday1000Utc = 1795860000000;

v1::BusinessHours WeekdaysNineToFiveBerlin() {
  v1::BusinessHours h;
  h.set_time_zone("Europe/Berlin");
  for (int day = 1; day <= 5; ++day) {
    auto* w = h.add_windows();
    w->set_day_of_week(day);
    w->set_open_minute(9 * 60);
    w->set_close_minute(17 * 60);
  }
  return h;
}

TEST(BusinessHoursTest, OpenInsideAWindowInTheQueuesTimeZoneOnly) {
  auto h = WeekdaysNineToFiveBerlin();
  EXPECT_TRUE(*IsOpen(h, kMonday0800Utc));
  EXPECT_FALSE(*IsOpen(h, kMonday0800Utc - 1));  // 08:59:59.999 Berlin
  EXPECT_FALSE(*IsOpen(h, kMonday1630Utc));
  EXPECT_FALSE(*IsOpen(h, kSaturday1000Utc));
  EXPECT_TRUE(*IsOpen(v1::BusinessHours(), kSaturday1000Utc));  // no windows: always open
}

// Resident memory of this process, kB.
int64_t RssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// abseil keeps every zone name it was asked to load, unknown ones too: names of no zone file
// must not reach it, or every config carrying a new bogus name would cost memory for good.
TEST(BusinessHoursTest, UnknownZoneNamesCostNoMemory) {
  auto h = WeekdaysNineToFiveBerlin();
  h.set_time_zone("Europe");  // a directory, not a zone
  EXPECT_FALSE(ValidateBusinessHours(h).ok());
  int64_t before = RssKb();
  for (int i = 0; i < 200000; ++i) {
    h.set_time_zone("Nowhere/Zone_" + std::to_string(i) + "_with_a_rather_long_name");
    ASSERT_FALSE(ValidateBusinessHours(h).ok());
  }
  int64_t grown = RssKb() - before;
  std::printf("200,000 unknown zone names: RSS +%lld kB\n", static_cast<long long>(grown));
  EXPECT_LT(grown, 4096) << "unknown zone names are being kept";
}

TEST(BusinessHoursTest, BadHoursNameTheField) {
  auto h = WeekdaysNineToFiveBerlin();
  h.set_time_zone("Mars/Olympus");
  EXPECT_NE(ValidateBusinessHours(h).message().find("time_zone"), absl::string_view::npos);
  // abseil loads a zone from any path; only IANA names are accepted (these files exist).
  for (const char* path : {"/usr/share/zoneinfo/UTC", "file:/usr/share/zoneinfo/UTC",
                           "Europe/../UTC", "../../../../usr/share/zoneinfo/UTC"}) {
    h.set_time_zone(path);
    EXPECT_NE(ValidateBusinessHours(h).message().find("time_zone"), absl::string_view::npos)
        << path;
  }
  for (const char* name : {"UTC", "Etc/GMT+1", "America/Port-au-Prince"}) {
    h.set_time_zone(name);
    EXPECT_TRUE(ValidateBusinessHours(h).ok()) << name;
  }
  h = WeekdaysNineToFiveBerlin();
  h.mutable_windows(2)->set_close_minute(8 * 60);
  EXPECT_NE(ValidateBusinessHours(h).message().find("windows[2].close_minute"),
            absl::string_view::npos);
  h = WeekdaysNineToFiveBerlin();
  h.mutable_windows(0)->set_day_of_week(8);
  EXPECT_NE(ValidateBusinessHours(h).message().find("day_of_week"), absl::string_view::npos);
}

class QueueHoursTest : public RedisFixture {
 protected:
  void AddHoursQueue(const std::string& overflow) {
    v1::Queue q = MakeQueue("office", {v1::CHANNEL_CHAT});
    *q.mutable_business_hours() = WeekdaysNineToFiveBerlin();
    q.set_overflow_queue(overflow);
    ASSERT_TRUE(ValidateQueue(q).ok()) << ValidateQueue(q);
    ASSERT_TRUE(engine_->PutQueue(kTenant, q).ok());
  }
};

TEST_F(QueueHoursTest, AClosedQueueRejectsNewWorkWithReasonClosed) {
  clock_.Set(kMonday0800Utc);
  AddHoursQueue("");
  std::string open = SubmitAndRoute(Chat("morning", 0, "office"));
  EXPECT_EQ(State(open), "queued");
  clock_.Set(kMonday1630Utc);
  ASSERT_TRUE(engine_->RefreshOpenFlags({kTenant}).ok());
  std::string late = SubmitAndRoute(Chat("evening", 0, "office"));
  EXPECT_EQ(State(late), "rejected");
  EXPECT_EQ(HGet(keys_.Interaction(late), "end_reason"), "closed");
  EXPECT_EQ(State(open), "queued");  // work already waiting stays
}

TEST_F(QueueHoursTest, AClosedQueueOverflowsToItsAfterHoursQueue) {
  AddQueue("after-hours", {v1::CHANNEL_CHAT});
  clock_.Set(kSaturday1000Utc);
  AddHoursQueue("after-hours");  // closed already when written
  std::string id = SubmitAndRoute(Chat("weekend", 0, "office"));
  EXPECT_EQ(HGet(keys_.Interaction(id), "queue"), "after-hours");
  EXPECT_EQ(State(id), "queued");
  clock_.Set(kMonday0800Utc);
  ASSERT_TRUE(engine_->RefreshOpenFlags({kTenant}).ok());
  std::string monday = SubmitAndRoute(Chat("monday", 0, "office"));
  EXPECT_EQ(HGet(keys_.Interaction(monday), "queue"), "office");
}

}  // namespace
}  // namespace omniroute
