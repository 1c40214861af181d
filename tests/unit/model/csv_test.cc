#include "services/classification/model/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace omniroute::classification::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::vector<std::string>> Fields(const std::vector<CsvRecord>& records) {
  std::vector<std::vector<std::string>> out;
  for (const CsvRecord& r : records) out.push_back(r.fields);
  return out;
}

TEST(ParseCsv, PlainRowsWithLfAndCrlf) {
  auto r = ParseCsv("a,b\r\nc,d\ne,f");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Fields(*r),
              ElementsAre(ElementsAre("a", "b"), ElementsAre("c", "d"), ElementsAre("e", "f")));
  EXPECT_EQ((*r)[2].line, 3);
}

TEST(ParseCsv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  auto r = ParseCsv("\"a, b\",x\n\"say \"\"hi\"\"\",y\n\"two\nlines\",z\r\nlast,w\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_THAT((*r)[0].fields, ElementsAre("a, b", "x"));
  EXPECT_THAT((*r)[1].fields, ElementsAre("say \"hi\"", "y"));
  EXPECT_THAT((*r)[2].fields, ElementsAre("two\nlines", "z"));
  EXPECT_EQ((*r)[2].line, 3);
  // The record after a two-line field starts on line 5.
  EXPECT_THAT((*r)[3].fields, ElementsAre("last", "w"));
  EXPECT_EQ((*r)[3].line, 5);
}

TEST(ParseCsv, CrlfInsideQuotesIsKept) {
  auto r = ParseCsv("\"a\r\nb\",c\r\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Fields(*r), ElementsAre(ElementsAre("a\r\nb", "c")));
}

TEST(ParseCsv, EmptyFieldsBlankLinesAndBom) {
  auto r = ParseCsv("\xEF\xBB\xBFh1,h2\n\n,\n\"\",x\na,\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Fields(*r), ElementsAre(ElementsAre("h1", "h2"), ElementsAre("", ""),
                                      ElementsAre("", "x"), ElementsAre("a", "")));
  EXPECT_EQ((*r)[1].line, 3);
}

TEST(ParseCsv, BareQuoteInsideUnquotedFieldIsLiteral) {
  auto r = ParseCsv("5\" screen,x\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Fields(*r), ElementsAre(ElementsAre("5\" screen", "x")));
}

TEST(ParseCsv, UnterminatedQuoteNamesTheLineWhereItStarted) {
  auto r = ParseCsv("a,b\n\"open,x\nmore\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("line 2"));
  EXPECT_THAT(r.status().message(), HasSubstr("not terminated"));
}

TEST(ParseCsv, TextAfterClosingQuoteIsAnError) {
  auto r = ParseCsv("a,b\n\"quoted\"junk,x\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("line 2"));
  EXPECT_THAT(r.status().message(), HasSubstr("after a closing quote"));
}

TEST(ParseLabelledCsv, SkipsHeaderAndTrimsLabel) {
  auto r = ParseLabelledCsv("text,category\nhello there, greet \r\n\"where, is it\",track\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].text, "hello there");
  EXPECT_EQ((*r)[0].label, "greet");
  EXPECT_EQ((*r)[0].line, 2);
  EXPECT_EQ((*r)[1].text, "where, is it");
  EXPECT_EQ((*r)[1].label, "track");
}

TEST(ParseLabelledCsv, NoHeaderIsFine) {
  auto r = ParseLabelledCsv("hello,greet\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].label, "greet");
}

TEST(ParseLabelledCsv, ReportsEveryBadRowWithItsLine) {
  auto r = ParseLabelledCsv("text,label\nok,a\ntoo,many,fields\nno label,\n,no text\nalone\n");
  ASSERT_FALSE(r.ok());
  const std::string msg(r.status().message());
  EXPECT_THAT(msg, HasSubstr("4 bad row(s)"));
  EXPECT_THAT(msg, HasSubstr("line 3: expected 2 fields (text,label), got 3"));
  EXPECT_THAT(msg, HasSubstr("line 4: empty label"));
  EXPECT_THAT(msg, HasSubstr("line 5: empty text"));
  EXPECT_THAT(msg, HasSubstr("line 6: expected 2 fields (text,label), got 1"));
}

TEST(ParseLabelledCsv, CapsTheListOfBadRows) {
  std::string csv;
  for (int i = 0; i < 15; ++i) csv += "x\n";
  auto r = ParseLabelledCsv(csv);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("15 bad row(s)"));
  EXPECT_THAT(r.status().message(), HasSubstr("and 5 more"));
}

TEST(ParseLabelledCsv, EmptyInputIsAnError) {
  EXPECT_FALSE(ParseLabelledCsv("").ok());
  EXPECT_FALSE(ParseLabelledCsv("text,label\n").ok());
}

TEST(ReadLabelledCsvFile, MissingFileIsNotFoundNamingThePath) {
  auto r = ReadLabelledCsvFile("/nonexistent/dir/data.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("/nonexistent/dir/data.csv"));
}

}  // namespace
}  // namespace omniroute::classification::model
