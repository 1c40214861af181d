// The invariant checker itself (e2e::ReplayFeed, e2e_replay.h): it must flag double offers,
// load over capacity and double completion.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/e2e/e2e_replay.h"

namespace omniroute {
namespace {

TEST(ReplayCheckerE2E, DetectsDoubleOffersOverCapacityAndDoubleCompletion) {
  auto ev = [](const std::string& id, const std::string& type, const std::string& ix,
               const std::string& agent) {
    e2e::FeedEvent e;
    e.id = id;
    e.type = type;
    e.ix = ix;
    e.agent = agent;
    e.channel = 2;
    return e;
  };
  std::map<std::string, std::map<int, int>> cap = {{"a1", {{2, 1}}}, {"a2", {{2, 1}}}};
  // A clean life: no violations, loads back to zero.
  auto ok = e2e::ReplayFeed({ev("1-0", "submitted", "x", ""), ev("2-0", "offered", "x", "a1"),
                             ev("3-0", "rejected", "x", "a1"), ev("4-0", "offered", "x", "a2"),
                             ev("5-0", "accepted", "x", "a2"), ev("6-0", "completed", "x", "a2")},
                            cap);
  EXPECT_TRUE(ok.violations.empty());
  EXPECT_EQ(ok.completed["x"], 1);
  EXPECT_EQ(ok.load["a2"][2], 0);
  // An offer withdrawn when its agent logged out frees the agent and lets the work go on.
  auto rescinded =
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "offer_rescinded", "x", "a1"),
                       ev("3-0", "offered", "x", "a2"), ev("4-0", "offered", "y", "a1")},
                      cap);
  EXPECT_TRUE(rescinded.violations.empty());
  EXPECT_EQ(rescinded.load["a1"][2], 1);
  // ... but only the agent holding the offer can have it withdrawn.
  EXPECT_FALSE(e2e::ReplayFeed(
                   {ev("1-0", "offered", "x", "a1"), ev("2-0", "offer_rescinded", "x", "a2")}, cap)
                   .violations.empty());
  // Offered to a second agent while the first offer is open.
  EXPECT_FALSE(
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "offered", "x", "a2")}, cap)
          .violations.empty());
  // Two open offers for an agent of capacity 1.
  EXPECT_FALSE(
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "offered", "y", "a1")}, cap)
          .violations.empty());
  // Completed twice; accepted by an agent without the offer.
  EXPECT_FALSE(
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "accepted", "x", "a1"),
                       ev("3-0", "completed", "x", "a1"), ev("4-0", "completed", "x", "a1")},
                      cap)
          .violations.empty());
  EXPECT_FALSE(
      e2e::ReplayFeed({ev("1-0", "offered", "x", "a1"), ev("2-0", "accepted", "x", "a2")}, cap)
          .violations.empty());
}

}  // namespace
}  // namespace omniroute
