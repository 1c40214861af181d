// omniroute-ctl sources put|list|delete: the sources of provider webhooks through the Admin API.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "tests/e2e/ctl_fixture.h"

namespace omniroute {
namespace {

using e2e::CommandResult;

TEST_F(CtlE2E, SourcesPutListAndDeleteWithoutEverPrintingTheSecret) {
  const std::string secret = "chat-widget-secret-5e6f7a8b9c";
  const std::string yaml = "name: chat\nkind: INBOUND_SOURCE_KIND_CHAT_WIDGET\nsecret: " + secret +
                           "\nattributes: {brand: acme}\n";
  CommandResult put = Ctl(Api({"sources", "put", "-"}), {}, yaml);
  ASSERT_EQ(put.code, 0) << put.err;
  EXPECT_TRUE(absl::StrContains(put.out, "/webhooks/acme/chat")) << put.out;
  EXPECT_FALSE(absl::StrContains(put.out, secret)) << put.out;

  CommandResult list = Ctl(Api({"sources", "list"}));
  ASSERT_EQ(list.code, 0) << list.err;
  auto rows = Rows(list.out);
  ASSERT_EQ(rows.size(), 2u) << list.out;
  EXPECT_EQ(rows[1][0], "chat");
  EXPECT_EQ(rows[1][1], "CHAT_WIDGET");
  EXPECT_EQ(rows[1][2].size(), 12u) << list.out;  // the fingerprint (no queue: empty column)
  CommandResult json = Ctl(Api({"sources", "list", "--output", "json"}));
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_TRUE(absl::StrContains(json.out, "\"secret_fingerprint\"")) << json.out;
  EXPECT_FALSE(absl::StrContains(json.out + list.out, secret));

  // Refused input names the field (exit 2); a missing source is exit 3; integrators are refused.
  CommandResult bad = Ctl(Api({"sources", "put", "-"}), {},
                          "name: x\nkind: INBOUND_SOURCE_KIND_TWILIO\nsecret: " + secret + "\n");
  EXPECT_EQ(bad.code, 2) << bad.err;
  EXPECT_TRUE(absl::StrContains(bad.err, "source.public_url")) << bad.err;
  EXPECT_EQ(Ctl(Api({"sources", "list"}, keys_["integrator"])).code, 4);
  CommandResult del = Ctl(Api({"sources", "delete", "chat"}));
  EXPECT_EQ(del.code, 0) << del.err;
  EXPECT_EQ(Ctl(Api({"sources", "delete", "chat"})).code, 3);
  EXPECT_EQ(Rows(Ctl(Api({"sources", "list"})).out).size(), 1u);
}

}  // namespace
}  // namespace omniroute
