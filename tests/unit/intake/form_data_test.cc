#include "services/intake/form_data.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace omniroute::intake {
namespace {

constexpr char kType[] = "multipart/form-data; boundary=xYzZY";

std::string Part(const std::string& headers, const std::string& value) {
  return absl::StrCat("--xYzZY\r\n", headers, "\r\n\r\n", value, "\r\n");
}

TEST(FormDataTest, ParsesAMultipartFormWithFieldsAndFiles) {
  std::string body = absl::StrCat(
      "preamble to ignore\r\n",
      Part("Content-Disposition: form-data; name=\"from\"", "Ann <ann@example.com>"),
      Part("content-disposition: form-data; name=\"text\"\r\nContent-Type: text/plain; "
           "charset=utf-8",
           "line one\r\nline two with --xYzZ almost a boundary\r\n"),
      Part("Content-Disposition: form-data; name=\"attachment1\"; filename=\"a \\\"b\\\".pdf\"\r\n"
           "Content-Type: application/pdf",
           std::string("%PDF\0\r\n\x01", 8)),
      Part("Content-Disposition: form-data; name=\"empty\"", ""), "--xYzZY--\r\nepilogue");
  auto boundary = MultipartBoundary(kType);
  ASSERT_TRUE(boundary.ok()) << boundary.status();
  EXPECT_EQ(*boundary, "xYzZY");
  auto fields = ParseMultipartFormData(body, *boundary);
  ASSERT_TRUE(fields.ok()) << fields.status();
  ASSERT_EQ(fields->size(), 4u);
  EXPECT_EQ((*fields)[0].name, "from");
  EXPECT_EQ((*fields)[0].value, "Ann <ann@example.com>");
  EXPECT_FALSE((*fields)[0].is_file);
  EXPECT_EQ((*fields)[1].value, "line one\r\nline two with --xYzZ almost a boundary\r\n");
  EXPECT_EQ((*fields)[1].content_type, "text/plain; charset=utf-8");
  EXPECT_TRUE((*fields)[2].is_file);
  EXPECT_EQ((*fields)[2].filename, "a \"b\".pdf");
  EXPECT_EQ((*fields)[2].value, std::string("%PDF\0\r\n\x01", 8));
  EXPECT_EQ((*fields)[3].value, "");
  EXPECT_EQ(FieldValue(*fields, "FROM", /*any_case=*/true), "Ann <ann@example.com>");
  EXPECT_EQ(FieldValue(*fields, "FROM"), "");
}

TEST(FormDataTest, BoundariesFromContentType) {
  EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data; boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(*MultipartBoundary("multipart/form-data;charset=utf-8;boundary=----WebKit7MA4"),
            "----WebKit7MA4");
  for (const char* bad : {"multipart/form-data", "multipart/mixed; boundary=abc",
                          "multipart/form-data; boundary=", "multipart/form-data; boundary=\"abc",
                          "multipart/form-data; boundary=\"abc \"",
                          "multipart/form-data; boundary=a{b}", "text/plain"}) {
    auto b = MultipartBoundary(bad);
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StartsWith(b.status().message(), "Content-Type: ")) << bad;
  }
  EXPECT_FALSE(
      MultipartBoundary(absl::StrCat("multipart/form-data; boundary=", std::string(71, 'a'))).ok());
}

TEST(FormDataTest, RefusesMalformedBodiesNamingThePart) {
  const std::string cd = "Content-Disposition: form-data; name=\"a\"";
  struct Case {
    std::string body, why;
  };
  for (const Case& c : std::vector<Case>{
           {"no boundary at all", "no multipart boundary"},
           {Part(cd, "x"), "part 1: no closing boundary"},
           {absl::StrCat(Part(cd, "x"), "--xYzZY"), "a boundary not followed by CRLF"},
           {absl::StrCat("--xYzZY\r\n\r\nvalue\r\n--xYzZY--"), "part 1: no Content-Disposition"},
           {absl::StrCat(Part("Content-Type: text/plain", "x"), "--xYzZY--"),
            "part 1: no Content-Disposition"},
           {absl::StrCat(Part(cd, "x"), Part("Content-Disposition: form-data", "y"), "--xYzZY--"),
            "part 2: Content-Disposition needs a name"},
           {absl::StrCat(Part("Content-Disposition: attachment; name=\"a\"", "x"), "--xYzZY--"),
            "Content-Disposition must be one form-data"},
           {absl::StrCat(Part(cd + "\r\nContent-Transfer-Encoding: base64", "eA=="), "--xYzZY--"),
            "Content-Transfer-Encoding base64 is not supported"},
           {absl::StrCat(Part("no colon here", "x"), "--xYzZY--"), "a header line without a name"},
           {absl::StrCat("--xYzZY\r\n", cd, "\r\n--xYzZY--\r\n"), "part 1"},
       }) {
    auto fields = ParseMultipartFormData(c.body, "xYzZY");
    EXPECT_EQ(fields.status().code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_TRUE(absl::StrContains(fields.status().message(), c.why)) << fields.status();
    EXPECT_TRUE(absl::StartsWith(fields.status().message(), "body")) << fields.status();
  }
}

TEST(FormDataTest, BoundsPartsAndHeaders) {
  std::string body;
  for (int i = 0; i < 4; ++i)
    absl::StrAppend(&body, Part("Content-Disposition: form-data; name=\"f\"", "v"));
  absl::StrAppend(&body, "--xYzZY--");
  EXPECT_TRUE(ParseMultipartFormData(body, "xYzZY", {.max_parts = 4}).ok());
  auto too_many = ParseMultipartFormData(body, "xYzZY", {.max_parts = 3});
  EXPECT_TRUE(absl::StrContains(too_many.status().message(), "more than 3 parts"));
  std::string long_header = absl::StrCat(
      Part("Content-Disposition: form-data; name=\"f\"\r\nX-Pad: " + std::string(200, 'p'), "v"),
      "--xYzZY--");
  auto big = ParseMultipartFormData(long_header, "xYzZY", {.max_header_bytes = 100});
  EXPECT_TRUE(absl::StrContains(big.status().message(), "within 100 bytes")) << big.status();
}

TEST(FormDataTest, UrlEncodedForms) {
  auto fields = ParseForm("application/x-www-form-urlencoded; charset=utf-8",
                          "Body=Hello+there%21+%C3%A9&From=%2B15551234567&Empty=&NoValue");
  ASSERT_TRUE(fields.ok()) << fields.status();
  ASSERT_EQ(fields->size(), 4u);
  EXPECT_EQ(FieldValue(*fields, "Body"), "Hello there! \xc3\xa9");
  EXPECT_EQ(FieldValue(*fields, "From"), "+15551234567");
  EXPECT_EQ((*fields)[2].name, "Empty");
  EXPECT_EQ((*fields)[3].name, "NoValue");
  auto bad = ParseForm("application/x-www-form-urlencoded", "a=%zz");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  auto cut = ParseForm("application/x-www-form-urlencoded", "a=%4");
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kInvalidArgument);
  auto json = ParseForm("application/json", "{}");
  EXPECT_EQ(json.status().code(), absl::StatusCode::kUnimplemented);
  auto multipart = ParseForm(
      kType, absl::StrCat(Part("Content-Disposition: form-data; name=\"a\"", "1"), "--xYzZY--"));
  ASSERT_TRUE(multipart.ok()) << multipart.status();
  EXPECT_EQ(FieldValue(*multipart, "a"), "1");
}

}  // namespace
}  // namespace omniroute::intake
