// Requests and look-ups shared by the API e2e tests (api_*_test.cc), which live in
// namespace omniroute::api_test.
#pragma once

#include <string>

#include "services/common/redis/redis_client.h"
#include "tests/e2e/e2e_feed.h"
#include "tests/e2e/e2e_redis.h"
#include "tools/sim/api_client.h"

namespace omniroute::api_test {

using e2e::Cmd;
using e2e::CmdInt;
using e2e::Prefix;
using sim::ApiClient;

// A chat submission with a customer, body and attribute; `key` is its idempotency key ("": none).
inline v1::SubmitInteractionRequest ChatRequest(const std::string& key,
                                                const std::string& subject) {
  v1::SubmitInteractionRequest r;
  r.set_channel(v1::CHANNEL_CHAT);
  r.set_customer_id("cust-1");
  r.set_subject(subject);
  r.set_body("Hello, I need help.");
  (*r.mutable_attributes())["ivr_choice"] = "cards";
  if (!key.empty()) r.set_idempotency_key(key);
  return r;
}

// SubmitInteraction with API key `key`.
inline grpc::Status Submit(ApiClient& api, const std::string& key,
                           const v1::SubmitInteractionRequest& r,
                           v1::SubmitInteractionResponse* resp) {
  return api.intake().SubmitInteraction(ApiClient::Context(key).get(), r, resp);
}

// The state GetInteraction reports (UNSPECIFIED when the call fails).
inline v1::InteractionState StateOf(ApiClient& api, const std::string& key, const std::string& id) {
  v1::GetInteractionRequest g;
  g.set_interaction_id(id);
  v1::GetInteractionResponse gr;
  if (!api.intake().GetInteraction(ApiClient::Context(key).get(), g, &gr).ok()) {
    return v1::INTERACTION_STATE_UNSPECIFIED;
  }
  return gr.interaction().state();
}

// Events of `type` for interaction `id` in the tenant feed (read from Redis).
inline int CountEvents(redis::Connection& c, const std::string& tenant, const std::string& type,
                       const std::string& id) {
  int n = 0;
  for (const auto& e : e2e::ReadFeedFromRedis(c, tenant)) {
    if (e.type == type && e.ix == id) ++n;
  }
  return n;
}

}  // namespace omniroute::api_test
