// The tenant event feed as the e2e tests read it: through Routing.WatchEvents or straight
// from Redis.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "services/common/redis/redis_client.h"
#include "tests/e2e/e2e_redis.h"
#include "tools/sim/api_client.h"

namespace omniroute::e2e {

struct FeedEvent {
  std::string id;
  std::string type;
  std::string ix;
  std::string agent;
  std::string queue;
  int channel = 0;
  std::map<std::string, std::string> detail;
};

inline FeedEvent FromProto(const v1::Event& e) {
  FeedEvent f;
  f.id = e.event_id();
  f.type = e.type();
  f.ix = e.interaction_id();
  f.agent = e.agent_id();
  f.queue = e.queue();
  f.channel = static_cast<int>(e.channel());
  f.detail.insert(e.detail().begin(), e.detail().end());
  return f;
}

// Id of the newest event of the tenant feed ("" when empty).
inline std::string LastEventId(redis::Connection& c, const std::string& tenant) {
  auto r = Cmd(c, {"XREVRANGE", Prefix(tenant) + ":events", "+", "-", "COUNT", "1"});
  if (r.elements.empty()) return "";
  return r.elements[0].elements[0].str;
}

// The whole feed read straight from Redis (XRANGE in pages), or only the events after
// `after_id` when given.
inline std::vector<FeedEvent> ReadFeedFromRedis(redis::Connection& c, const std::string& tenant,
                                                const std::string& after_id = "") {
  std::vector<FeedEvent> out;
  std::string start = after_id.empty() ? "-" : "(" + after_id;
  for (int page = 0; page < 10000; ++page) {
    auto r = Cmd(c, {"XRANGE", Prefix(tenant) + ":events", start, "+", "COUNT", "1000"});
    if (r.elements.empty()) break;
    for (const auto& e : r.elements) {
      FeedEvent f;
      f.id = e.elements[0].str;
      const auto& kv = e.elements[1].elements;
      for (size_t i = 0; i + 1 < kv.size(); i += 2) {
        const std::string &k = kv[i].str, &v = kv[i + 1].str;
        if (k == "type") {
          f.type = v;
        } else if (k == "ix") {
          f.ix = v;
        } else if (k == "agent") {
          f.agent = v;
        } else if (k == "queue") {
          f.queue = v;
        } else if (k == "ch") {
          (void)absl::SimpleAtoi(v, &f.channel);
        } else if (k != "at") {
          f.detail[k] = v;
        }
      }
      out.push_back(std::move(f));
    }
    start = "(" + out.back().id;
  }
  return out;
}

// The feed from the oldest retained event up to and including `last_id`, read through
// Routing.WatchEvents. Returns what was read when `timeout` passes first.
inline std::vector<FeedEvent> ReadFeedViaApi(sim::ApiClient& api, const std::string& key,
                                             const std::string& last_id,
                                             std::chrono::seconds timeout) {
  std::vector<FeedEvent> out;
  if (last_id.empty()) return out;
  auto ctx = sim::ApiClient::Context(key, timeout);
  v1::WatchEventsRequest req;
  req.set_after_event_id("0");
  auto reader = api.routing().WatchEvents(ctx.get(), req);
  v1::Event e;
  while (reader->Read(&e)) {
    out.push_back(FromProto(e));
    if (e.event_id() == last_id) break;
  }
  ctx->TryCancel();
  (void)reader->Finish();
  return out;
}

}  // namespace omniroute::e2e
