// omniroute-ctl webhooks: put from YAML (the secret printed once), list, get, replace, rotate
// the secret, the dead-letter commands, delete; bad input is exit 2 naming the field.
#include "services/common/grpc/published.h"
#include "tests/e2e/ctl_fixture.h"

namespace omniroute {
namespace {

using e2e::CommandResult;

TEST_F(CtlE2E, WebhooksPutListGetRotateAndDelete) {
  CommandResult put = Ctl(Api({"webhooks", "put",
                               WriteFile("hook.yaml",
                                         "url: https://hooks.example.com/omniroute\n"
                                         "event_types: [queued, completed]\n"
                                         "description: CRM sync\n")}));
  ASSERT_EQ(put.code, 0) << put.err;
  std::string secret = Trim(put.out);
  EXPECT_EQ(secret.substr(0, 6), "whsec_") << put.out;
  ASSERT_EQ(put.err.rfind("created webhook wh_", 0), 0u) << put.err;
  std::string id = put.err.substr(16, 27);

  CommandResult list = Ctl(Api({"webhooks", "list"}));
  ASSERT_EQ(list.code, 0) << list.err;
  auto rows = Rows(list.out);
  ASSERT_EQ(rows.size(), 2u) << list.out;
  EXPECT_EQ(rows[1], (std::vector<std::string>{id, "https://hooks.example.com/omniroute",
                                               "queued,completed", "yes", "0", "0"}));

  CommandResult get = Ctl(Api({"webhooks", "get", id, "--output", "json"}));
  ASSERT_EQ(get.code, 0) << get.err;
  v1::Webhook w;
  ASSERT_TRUE(published::FromJson(get.out, &w).ok()) << get.out;
  EXPECT_EQ(w.description(), "CRM sync");
  EXPECT_EQ(w.event_types_size(), 2);

  // Replace it (disabled, every type) from the JSON `get` printed.
  w.set_disabled(true);
  w.clear_event_types();
  auto json = published::ToJson(w);
  ASSERT_TRUE(json.ok());
  CommandResult replace = Ctl(Api({"webhooks", "put", WriteFile("hook.json", *json)}));
  ASSERT_EQ(replace.code, 0) << replace.err;
  EXPECT_EQ(replace.out, "stored webhook " + id + "\n");
  rows = Rows(Ctl(Api({"webhooks", "list"})).out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][2], "*");
  EXPECT_EQ(rows[1][3], "no");

  CommandResult rotated = Ctl(Api({"webhooks", "rotate-secret", id, "--overlap-seconds=60"}));
  ASSERT_EQ(rotated.code, 0) << rotated.err;
  EXPECT_EQ(Trim(rotated.out).size(), secret.size());
  EXPECT_NE(Trim(rotated.out), secret);

  CommandResult dead = Ctl(Api({"webhooks", "dead-letters"}));
  ASSERT_EQ(dead.code, 0) << dead.err;
  EXPECT_NE(dead.out.find("0 dead letter(s)"), std::string::npos) << dead.out;
  CommandResult redeliver = Ctl(Api({"webhooks", "redeliver", id + ".1700000000000-0"}));
  EXPECT_EQ(redeliver.code, 3) << redeliver.out << redeliver.err;
  EXPECT_EQ(redeliver.out,
            "redelivered 0; not found: " + id + ".1700000000000-0; webhook deleted: -\n");
  CommandResult drop = Ctl(Api({"webhooks", "drop", id + ".1-0," + id + ".2-0"}));
  ASSERT_EQ(drop.code, 0) << drop.err;
  EXPECT_EQ(drop.out, "dropped 0 dead letter(s)\n");

  CommandResult del = Ctl(Api({"webhooks", "delete", id}));
  ASSERT_EQ(del.code, 0) << del.err;
  EXPECT_EQ(Ctl(Api({"webhooks", "get", id})).code, 3);
  EXPECT_EQ(Rows(Ctl(Api({"webhooks", "list"})).out).size(), 1u);
}

TEST_F(CtlE2E, WebhooksBadInputIsExitTwoNamingTheField) {
  CommandResult bad_type =
      Ctl(Api({"webhooks", "put",
               WriteFile("bad.yaml", "url: https://x.example/\nevent_types: [nope]\n")}));
  EXPECT_EQ(bad_type.code, 2) << bad_type.err;
  EXPECT_NE(bad_type.err.find("webhook.event_types[0]: unknown event type 'nope'"),
            std::string::npos)
      << bad_type.err;
  CommandResult creds =
      Ctl(Api({"webhooks", "put", WriteFile("creds.yaml", "url: https://me:pw@x.example/\n")}));
  EXPECT_EQ(creds.code, 2);
  EXPECT_NE(creds.err.find("webhook.url: must not carry a user or password"), std::string::npos)
      << creds.err;
  CommandResult bad_id = Ctl(Api({"webhooks", "redeliver", "not-a-delivery"}));
  EXPECT_EQ(bad_id.code, 2);
  EXPECT_NE(bad_id.err.find("delivery_ids[0]:"), std::string::npos) << bad_id.err;
  // An agent key may not manage webhooks.
  EXPECT_EQ(Ctl(Api({"webhooks", "list"}, keys_["agent"])).code, 4);
}

}  // namespace
}  // namespace omniroute
