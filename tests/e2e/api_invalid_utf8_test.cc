// Invalid UTF-8 in the public API's string fields, sent as raw bytes past the client's
// serializer.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/e2e/api_test_util.h"
#include "tests/e2e/api_validation_fixture.h"

namespace omniroute::api_test {
namespace {

// Invalid UTF-8 in a string field must be INVALID_ARGUMENT naming the field, like every other
// bad input (the services validate UTF-8 themselves); nothing may change.
TEST_F(ValidationE2E, InvalidUtf8IsInvalidArgumentNamingTheField) {
  if (HasFatalFailure()) return;
  testing::Cluster& cluster = *cluster_;
  const std::string qid = qid_;
  const std::string integrator = keys_["integrator"];
  const grpc::StatusCode kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
  {
    // The raw path reaches the handler: a valid request sent this way is answered.
    v1::GetInteractionRequest g;
    g.set_interaction_id(qid);
    std::string out;
    auto st = e2e::RawUnary(cluster.endpoints().intake, "/omniroute.v1.Intake/GetInteraction",
                            integrator, g.SerializeAsString(), &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    v1::GetInteractionResponse gr;
    ASSERT_TRUE(gr.ParseFromString(out));
    EXPECT_EQ(gr.interaction().interaction_id(), qid);
  }
  // Invalid UTF-8 cannot pass the client's serializer: these requests are sent as raw bytes.
  auto raw_submit = [&](std::function<void(v1::SubmitInteractionRequest&)> mutate,
                        const std::string& placeholder, const std::string& raw) {
    return [&cluster, integrator, mutate, placeholder, raw] {
      auto r = ChatRequest("", "Where is my parcel?");
      mutate(r);
      return e2e::RawUnary(cluster.endpoints().intake, "/omniroute.v1.Intake/SubmitInteraction",
                           integrator, e2e::SerializeWithRawBytes(r, placeholder, raw));
    };
  };
  std::vector<BadCall> calls = {
      {"body not UTF-8", kInvalid, "body",
       raw_submit([](auto& r) { r.set_body("bad @@ text"); }, "@@", "\xc3\x28")},
      {"subject not UTF-8", kInvalid, "subject",
       raw_submit([](auto& r) { r.set_subject("Hi @@"); }, "@@", "\xe0\x80")},
      {"attribute value not UTF-8", kInvalid, "attributes",
       raw_submit([](auto& r) { (*r.mutable_attributes())["note"] = "@@"; }, "@@", "\xff\xfe")},
      {"cancel reason not UTF-8", kInvalid, "reason",
       [&cluster, integrator, qid] {
         v1::CancelInteractionRequest r;
         r.set_interaction_id(qid);
         r.set_reason("@@");
         return e2e::RawUnary(cluster.endpoints().intake, "/omniroute.v1.Intake/CancelInteraction",
                              integrator, e2e::SerializeWithRawBytes(r, "@@", "\xc0\xaf"));
       }},
  };
  Run(calls);
}

}  // namespace
}  // namespace omniroute::api_test
