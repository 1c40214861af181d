// gRPC client helpers of the e2e tests: raw unary calls (bytes the protobuf serializer
// would refuse to send) and the Admin and Intake calls that set up a tenant or submit work.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <utility>
#include <vector>

#include "tools/sim/api_client.h"

namespace omniroute::e2e {

// ---- Raw gRPC ----------------------------------------------------------------------------

// Calls a unary method with request bytes as given, bypassing the client's protobuf
// serializer (which refuses to send, e.g., invalid UTF-8 in a string field).
inline grpc::Status RawUnary(const std::string& address, const std::string& method,
                             const std::string& api_key, const std::string& request,
                             std::string* response = nullptr) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  auto ctx = sim::ApiClient::Context(api_key);
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1), resp;
  std::promise<grpc::Status> done;
  stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &req, &resp,
                 [&done](grpc::Status st) { done.set_value(std::move(st)); });
  grpc::Status st = done.get_future().get();
  if (st.ok() && response != nullptr) {
    std::vector<grpc::Slice> slices;
    (void)resp.Dump(&slices);
    response->clear();
    for (const auto& sl : slices) {
      response->append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
  }
  return st;
}

// `message` serialized, with the bytes of `placeholder` (which must occur once) replaced by
// `raw` of the same length.
inline std::string SerializeWithRawBytes(const google::protobuf::Message& message,
                                         const std::string& placeholder, const std::string& raw) {
  std::string bytes = message.SerializeAsString();
  auto pos = bytes.find(placeholder);
  EXPECT_NE(pos, std::string::npos);
  EXPECT_EQ(placeholder.size(), raw.size());
  if (pos != std::string::npos) bytes.replace(pos, placeholder.size(), raw);
  return bytes;
}

// ---- Admin setup -------------------------------------------------------------------------

inline grpc::Status PutQueue(sim::ApiClient& api, const std::string& admin_key,
                             const std::string& name, std::vector<v1::Channel> channels,
                             int offer_timeout_seconds = 0) {
  v1::PutQueueRequest req;
  req.mutable_queue()->set_name(name);
  for (auto ch : channels) req.mutable_queue()->add_channels(ch);
  req.mutable_queue()->set_offer_timeout_seconds(offer_timeout_seconds);
  v1::PutQueueResponse resp;
  return api.admin().PutQueue(sim::ApiClient::Context(admin_key).get(), req, &resp);
}

// The interaction as GetInteraction returns it (an empty one when the call fails).
inline v1::Interaction GetInteraction(sim::ApiClient& api, const std::string& key,
                                      const std::string& id) {
  v1::GetInteractionRequest g;
  g.set_interaction_id(id);
  v1::GetInteractionResponse r;
  (void)api.intake().GetInteraction(sim::ApiClient::Context(key).get(), g, &r);
  return r.interaction();
}

// Submits a chat with `subject`; returns its id ("" and a test failure when the call fails).
inline std::string SubmitChat(sim::ApiClient& api, const std::string& key,
                              const std::string& subject) {
  v1::SubmitInteractionRequest r;
  r.set_channel(v1::CHANNEL_CHAT);
  r.set_subject(subject);
  v1::SubmitInteractionResponse resp;
  auto st = api.intake().SubmitInteraction(sim::ApiClient::Context(key).get(), r, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return resp.interaction_id();
}

inline grpc::Status PutConfig(sim::ApiClient& api, const std::string& admin_key,
                              const v1::TenantConfig& config) {
  v1::PutTenantConfigRequest req;
  *req.mutable_config() = config;
  v1::PutTenantConfigResponse resp;
  return api.admin().PutTenantConfig(sim::ApiClient::Context(admin_key).get(), req, &resp);
}

// Logs `agent` in as available with one chat slot and `skills` at proficiency 3.
inline grpc::Status LogIn(sim::ApiClient& api, const std::string& key, const std::string& agent,
                          const std::vector<std::string>& skills = {}) {
  v1::SetAgentStateRequest r;
  r.set_agent_id(agent);
  r.set_state(v1::AGENT_STATE_AVAILABLE);
  for (const auto& s : skills) {
    auto* k = r.add_skills();
    k->set_name(s);
    k->set_proficiency(3);
  }
  auto* c = r.add_capacities();
  c->set_channel(v1::CHANNEL_CHAT);
  c->set_max(1);
  v1::SetAgentStateResponse resp;
  return api.routing().SetAgentState(sim::ApiClient::Context(key).get(), r, &resp);
}

// Queue `name` for chat with an SLA of 80 % within `sla_threshold_seconds` (offers lapse after
// 30 s), and a tenant config sending all work there.
inline void SetUpSlaQueue(sim::ApiClient& api, const std::string& admin_key,
                          const std::string& name, int sla_threshold_seconds) {
  v1::PutQueueRequest q;
  q.mutable_queue()->set_name(name);
  q.mutable_queue()->add_channels(v1::CHANNEL_CHAT);
  q.mutable_queue()->set_sla_threshold_seconds(sla_threshold_seconds);
  q.mutable_queue()->set_sla_target_percent(80);
  q.mutable_queue()->set_offer_timeout_seconds(30);
  v1::PutQueueResponse qr;
  auto st = api.admin().PutQueue(sim::ApiClient::Context(admin_key).get(), q, &qr);
  ASSERT_TRUE(st.ok()) << st.error_message();
  v1::TenantConfig config;
  config.set_default_queue(name);
  st = PutConfig(api, admin_key, config);
  ASSERT_TRUE(st.ok()) << st.error_message();
}

// Queues "voice", "chat", "email" (one channel each) and a tenant config that routes each
// channel to its queue.
inline void SetUpVoiceChatEmail(sim::ApiClient& api, const std::string& admin_key,
                                int offer_timeout_seconds) {
  const std::vector<std::pair<std::string, v1::Channel>> queues = {
      {"voice", v1::CHANNEL_VOICE}, {"chat", v1::CHANNEL_CHAT}, {"email", v1::CHANNEL_EMAIL}};
  v1::PutTenantConfigRequest c;
  for (const auto& [name, ch] : queues) {
    auto st = PutQueue(api, admin_key, name, {ch}, offer_timeout_seconds);
    ASSERT_TRUE(st.ok()) << st.error_message();
    (*c.mutable_config()->mutable_default_queue_by_channel())[static_cast<int>(ch)] = name;
  }
  v1::PutTenantConfigResponse cr;
  auto st = api.admin().PutTenantConfig(sim::ApiClient::Context(admin_key).get(), c, &cr);
  ASSERT_TRUE(st.ok()) << st.error_message();
}

}  // namespace omniroute::e2e
