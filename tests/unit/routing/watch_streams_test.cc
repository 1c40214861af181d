#include "services/routing/watch_streams.h"

#include <gtest/gtest.h>

namespace omniroute::routing {
namespace {

redis::StreamRecord Record(std::vector<std::pair<std::string, std::string>> fields) {
  redis::StreamRecord r;
  r.id_text = "1700000000000-0";
  r.fields = std::move(fields);
  return r;
}

// The feed stores priorities as numbers; WatchEvents names them as the API does.
TEST(EventFromRecordTest, PrioritiesInTheDetailsAreNamedAsInTheApi) {
  auto queued = EventFromRecord(Record({{"type", "queued"},
                                        {"at", "1700000000000"},
                                        {"ix", "abc"},
                                        {"queue", "chat"},
                                        {"ch", "2"},
                                        {"priority", "3"},
                                        {"value_boost_s", "0.0"}}));
  EXPECT_EQ(queued.type(), "queued");
  EXPECT_EQ(queued.interaction_id(), "abc");
  EXPECT_EQ(queued.channel(), v1::CHANNEL_CHAT);
  EXPECT_EQ(queued.at_ms(), 1700000000000);
  EXPECT_EQ(queued.detail().at("priority"), "PRIORITY_P3");
  EXPECT_EQ(queued.detail().at("value_boost_s"), "0.0");
  auto moved = EventFromRecord(
      Record({{"type", "reprioritized"}, {"ix", "abc"}, {"priority", "1"}, {"from", "4"}}));
  EXPECT_EQ(moved.detail().at("priority"), "PRIORITY_P1");
  EXPECT_EQ(moved.detail().at("from"), "PRIORITY_P4");
  // 'from' of other events is not a priority; an unknown number stays as it is.
  auto state = EventFromRecord(Record({{"type", "agent_state"}, {"from", "available"}}));
  EXPECT_EQ(state.detail().at("from"), "available");
  auto odd = EventFromRecord(Record({{"type", "queued"}, {"priority", "9"}}));
  EXPECT_EQ(odd.detail().at("priority"), "9");
}

}  // namespace
}  // namespace omniroute::routing
