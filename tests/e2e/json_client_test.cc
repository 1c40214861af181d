// The API from a generic JSON client (tests/e2e/json_client.py: Python's json_format and grpcio
// against a descriptor set compiled here from the published .proto files, no generated code):
// a plain-text subject goes in as JSON and reads back unchanged.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

class JsonClientE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = cluster_.CreateTenant("acme");
    set_ = cluster_.dir() + "/omniroute.desc";
    const std::string src = OMNIROUTE_SOURCE_DIR "/proto";
    e2e::CommandResult r = e2e::RunCommand(
        {OMNIROUTE_PROTOC, "--proto_path=" + src, "--include_imports",
         "--descriptor_set_out=" + set_, "omniroute/v1/intake.proto", "omniroute/v1/routing.proto"},
        {}, "", cluster_.dir());
    ASSERT_EQ(r.code, 0) << r.err;
  }

  e2e::CommandResult Call(const std::string& address, const std::string& key,
                          const std::string& method, const std::string& json) {
    return e2e::RunCommand({OMNIROUTE_PYTHON3, OMNIROUTE_SOURCE_DIR "/tests/e2e/json_client.py",
                            set_, address, key, method, json},
                           {}, "", cluster_.dir());
  }

  testing::Cluster cluster_;
  std::map<std::string, std::string> keys_;
  std::string set_;
};

TEST_F(JsonClientE2E, PlainTextSubjectGoesInAsJsonAndReadsBackUnchanged) {
  const std::string subject = "Où est ma carte ? 💳 \\\"urgent\\\"";  // JSON-escaped quotes
  const std::string intake = cluster_.endpoints().intake;
  e2e::CommandResult submit =
      Call(intake, keys_["integrator"], "omniroute.v1.Intake/SubmitInteraction",
           R"({"channel": "CHANNEL_EMAIL", "subject": ")" + subject +
               R"(", "body": "Ma carte n'est jamais arrivée.", "customerId": "cust-42",
                "attributes": {"langue": "français"}, "idempotencyKey": "mail-7 <x@y>"})");
  ASSERT_EQ(submit.code, 0) << submit.err;
  const std::string marker = R"("interactionId": ")";
  size_t at = submit.out.find(marker);
  ASSERT_NE(at, std::string::npos) << submit.out;
  const std::string id = submit.out.substr(
      at + marker.size(), submit.out.find('"', at + marker.size()) - at - marker.size());

  e2e::CommandResult get = Call(intake, keys_["integrator"], "omniroute.v1.Intake/GetInteraction",
                                R"({"interactionId": ")" + id + R"("})");
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_TRUE(absl::StrContains(get.out, R"("subject": ")" + subject + "\"")) << get.out;
  EXPECT_TRUE(absl::StrContains(get.out, R"("customerId": "cust-42")")) << get.out;
  EXPECT_TRUE(absl::StrContains(get.out, R"("langue": "français")")) << get.out;

  // The same request again is the same interaction (the idempotency key went through as text).
  e2e::CommandResult again =
      Call(intake, keys_["integrator"], "omniroute.v1.Intake/SubmitInteraction",
           R"({"channel": "CHANNEL_EMAIL", "subject": ")" + subject +
               R"(", "body": "Ma carte n'est jamais arrivée.", "customerId": "cust-42",
                "attributes": {"langue": "français"}, "idempotencyKey": "mail-7 <x@y>"})");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(absl::StrContains(again.out, id)) << again.out;

  // Bad input through the same client: a clear error naming the field.
  e2e::CommandResult bad =
      Call(intake, keys_["integrator"], "omniroute.v1.Intake/SubmitInteraction",
           R"({"channel": "CHANNEL_EMAIL", "customerId": "has space"})");
  EXPECT_EQ(bad.code, 3);
  EXPECT_TRUE(absl::StartsWith(bad.err, "INVALID_ARGUMENT: ")) << bad.err;
  EXPECT_TRUE(absl::StrContains(bad.err, "customer_id")) << bad.err;
}

}  // namespace
}  // namespace omniroute
