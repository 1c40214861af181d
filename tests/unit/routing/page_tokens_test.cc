// The page tokens and page sizes of the supervisor views.
#include "services/routing/page_tokens.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"

namespace omniroute::routing {
namespace {

TEST(PageTokensTest, TokensGiveBackWhereTheyWereMade) {
  auto agent = ParseAgentPageToken(AgentPageToken("agent.7@site"));
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_EQ(*agent, "agent.7@site");
  const std::string id = "0190a1b2c3d40001aabbccddeeff0011";
  auto cursor = ParseWaitingPageToken(WaitingPageToken({3, "-120", id}));
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ(cursor->channel, 3);
  EXPECT_EQ(cursor->score, "-120");
  EXPECT_EQ(cursor->interaction_id, id);
}

TEST(PageTokensTest, AnyOtherTextIsInvalidNamingPageToken) {
  const std::string id = "0190a1b2c3d40001aabbccddeeff0011";
  auto b64 = [](const std::string& s) { return absl::WebSafeBase64Escape(s); };
  for (const std::string& token :
       {std::string("garbage!"), b64("a1|bad agent"), b64("a1|"), AgentPageToken("ann")}) {
    auto st = ParseWaitingPageToken(token).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << token;
    EXPECT_EQ(st.message().substr(0, 11), "page_token:") << token;
  }
  for (const std::string& token :
       {b64("w1|0|5|" + id), b64("w1|9|5|" + id), b64("w1|3|5.5|" + id), b64("w1|3|05|" + id),
        b64("w1|3|5|" + id.substr(1)), b64("w1|3|5"), WaitingPageToken({3, "5", id})}) {
    EXPECT_FALSE(ParseAgentPageToken(token).ok()) << token;
    if (token != WaitingPageToken({3, "5", id})) {
      EXPECT_FALSE(ParseWaitingPageToken(token).ok()) << token;
    }
  }
  EXPECT_FALSE(ParseAgentPageToken(b64("a1|bad agent")).ok());
}

TEST(PageTokensTest, PageSizesAreOneToFiveHundredAndZeroIsTheDefault) {
  EXPECT_EQ(*PageSize(0), kDefaultPageSize);
  EXPECT_EQ(*PageSize(1), 1);
  EXPECT_EQ(*PageSize(500), 500);
  for (int bad : {-1, 501}) {
    auto st = PageSize(bad).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(st.message().substr(0, 10), "page_size:");
  }
}

}  // namespace
}  // namespace omniroute::routing
