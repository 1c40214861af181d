#include "services/common/log/log.h"

#include <gtest/gtest.h>

#include <string>

namespace omniroute::log {
namespace {

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndEveryControlCharacter) {
  EXPECT_EQ(JsonEscape(""), "");
  EXPECT_EQ(JsonEscape("plain text"), "plain text");
  EXPECT_EQ(JsonEscape(R"(say "hi" \ bye)"), R"(say \"hi\" \\ bye)");
  EXPECT_EQ(JsonEscape("a\nb\rc\td"), R"(a\nb\rc\td)");
  EXPECT_EQ(JsonEscape(std::string("nul\0end", 7)), R"(nul\u0000end)");
  EXPECT_EQ(JsonEscape("\x01\x08\x0b\x0c\x1b\x1f"), R"(\u0001\u0008\u000b\u000c\u001b\u001f)");
  // Printable ASCII past the control range and UTF-8 pass through unchanged.
  EXPECT_EQ(JsonEscape(" ~/<>'"), " ~/<>'");
  EXPECT_EQ(JsonEscape("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
}

}  // namespace
}  // namespace omniroute::log
