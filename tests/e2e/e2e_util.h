// Helpers shared by the e2e tests: Redis inspection, tenant setup over the Admin API, reading
// the tenant event feed (through Routing.WatchEvents or straight from Redis), replaying it to
// check the routing invariants, and fetching a replica's /metrics over a loopback socket.
#pragma once

#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/redis/redis_client.h"
#include "tools/sim/api_client.h"

namespace omniroute::e2e {

using Clock = std::chrono::steady_clock;

// Polls `pred` every `every` until it holds or `timeout` passes; returns its last value.
inline bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

// Wall-clock ms since the epoch (the services' clock).
inline int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---- Redis -------------------------------------------------------------------------------

inline std::string Prefix(const std::string& tenant) { return "{t:" + tenant + "}"; }

inline redis::Reply Cmd(redis::Connection& c, const std::vector<std::string>& argv) {
  auto r = c.Command(argv);
  if (!r.ok()) {
    ADD_FAILURE() << "redis " << argv[0] << ": " << r.status();
    return {};
  }
  return *r;
}

inline int64_t CmdInt(redis::Connection& c, const std::vector<std::string>& argv) {
  auto r = Cmd(c, argv);
  if (r.type == redis::Reply::Type::kInteger) return r.integer;
  int64_t v = 0;
  if (r.type == redis::Reply::Type::kString && absl::SimpleAtoi(r.str, &v)) return v;
  return 0;
}

// Entries ever appended to a stream (XINFO STREAM entries-added): consumers delete what they
// have processed, so XLEN shows only work in flight.
inline int64_t EntriesAdded(redis::Connection& c, const std::string& stream) {
  auto r = Cmd(c, {"XINFO", "STREAM", stream});
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    if (r.elements[i].str == "entries-added") return r.elements[i + 1].integer;
  }
  return -1;
}

// Number of entries pending (delivered, not acknowledged) in a consumer group; -1 when the
// stream or group does not exist.
inline int64_t PendingCount(redis::Connection& c, const std::string& stream,
                            const std::string& group) {
  auto r = Cmd(c, {"XPENDING", stream, group});
  if (r.is_error() || r.elements.empty()) return -1;
  return r.elements[0].integer;
}

// A canonical text form of any reply (for comparisons).
inline void Serialize(const redis::Reply& r, std::string* out) {
  switch (r.type) {
    case redis::Reply::Type::kNil:
      out->append("N;");
      break;
    case redis::Reply::Type::kInteger:
      absl::StrAppend(out, "I", r.integer, ";");
      break;
    case redis::Reply::Type::kArray:
      absl::StrAppend(out, "A", r.elements.size(), "[");
      for (const auto& e : r.elements) Serialize(e, out);
      out->append("]");
      break;
    default:
      absl::StrAppend(out, "S", r.str.size(), ":", r.str, ";");
  }
}

// Every key of the database with its type and value. Values are DUMP bytes, except for
// streams, whose DUMP holds consumer "seen" times that change on every idle XREADGROUP: a
// stream is described by XINFO STREAM, its entries and its groups' counters instead.
inline std::map<std::string, std::string> SnapshotRedis(redis::Connection& c) {
  std::map<std::string, std::string> out;
  auto keys = Cmd(c, {"KEYS", "*"});
  for (const auto& k : keys.elements) {
    std::string type = Cmd(c, {"TYPE", k.str}).str;
    std::string v = type + "|";
    if (type == "stream") {
      Serialize(Cmd(c, {"XINFO", "STREAM", k.str}), &v);
      Serialize(Cmd(c, {"XRANGE", k.str, "-", "+"}), &v);
      Serialize(Cmd(c, {"XINFO", "GROUPS", k.str}), &v);
    } else {
      Serialize(Cmd(c, {"DUMP", k.str}), &v);
    }
    out[k.str] = std::move(v);
  }
  return out;
}

// Describes the differences of two snapshots ("" when equal).
inline std::string DiffSnapshots(const std::map<std::string, std::string>& a,
                                 const std::map<std::string, std::string>& b) {
  std::string d;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) {
      absl::StrAppend(&d, "removed ", k, "\n");
    } else if (it->second != v) {
      absl::StrAppend(&d, "changed ", k, "\n");
    }
  }
  for (const auto& [k, v] : b) {
    if (!a.count(k)) absl::StrAppend(&d, "added ", k, "\n");
  }
  return d;
}

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

// ---- The event feed ----------------------------------------------------------------------

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

// ---- Invariants --------------------------------------------------------------------------

// What replaying the feed found. Capacity: agent -> channel -> max.
struct Replay {
  std::vector<std::string> violations;   // empty when every invariant held
  std::map<std::string, int> completed;  // interaction -> completed events
  std::set<std::string> submitted;       // ids with a 'submitted' event
  std::map<std::string, int64_t> by_type;
  std::map<std::string, std::map<int, int>> max_load;  // agent -> channel -> highest load seen
  std::map<std::string, std::map<int, int>> load;      // agent -> channel -> load at the end
};

// Replays the feed in order and checks
//  - one owner: an interaction is offered only when it has no open offer or assignment;
//    accepted/rejected/offer_timeout only for the agent holding the open offer; completed only
//    by the agent it is assigned to; nothing happens to it after a terminal event;
//  - capacity: per agent and channel, open offers + assignments never exceed the capacity
//    (offered +1; rejected, offer_timeout, completed and canceled-while-offered -1) and never go
//    below zero. Agents missing from `capacity` are not checked for capacity;
//  - cross-channel capacity, for the channels in `exclusive` (none checked when empty): work on
//    an exclusive channel is offered only to an agent holding nothing on another channel, and
//    an agent holding work on an exclusive channel is offered nothing on another channel.
inline Replay ReplayFeed(const std::vector<FeedEvent>& feed,
                         const std::map<std::string, std::map<int, int>>& capacity,
                         const std::set<int>& exclusive = {}) {
  Replay r;
  enum Phase { kNone, kOffered, kAssigned, kDone };
  struct Owner {
    Phase phase = kNone;
    std::string agent;
    int channel = 0;
  };
  std::map<std::string, Owner> owners;
  auto violation = [&](const FeedEvent& e, const std::string& what) {
    if (r.violations.size() < 50) {
      r.violations.push_back(absl::StrCat(e.id, " ", e.type, " ix=", e.ix, " agent=", e.agent,
                                          " ch=", e.channel, ": ", what));
    }
  };
  auto add_load = [&](const FeedEvent& e, const std::string& agent, int ch, int delta) {
    int& l = r.load[agent][ch];
    l += delta;
    if (l < 0) violation(e, "agent load below zero");
    int& m = r.max_load[agent][ch];
    if (l > m) m = l;
    auto a = capacity.find(agent);
    if (a != capacity.end()) {
      auto c = a->second.find(ch);
      int cap = c == a->second.end() ? 0 : c->second;
      if (l > cap) violation(e, absl::StrCat("load ", l, " exceeds capacity ", cap));
    }
  };
  for (const auto& e : feed) {
    ++r.by_type[e.type];
    if (e.ix.empty()) continue;  // agent_state
    Owner& o = owners[e.ix];
    if (o.phase == kDone) {
      violation(e, "event after a terminal state");
      continue;
    }
    if (e.type == "submitted") {
      if (!r.submitted.insert(e.ix).second) violation(e, "submitted twice");
    } else if (e.type == "offered") {
      if (o.phase != kNone) {
        violation(e, absl::StrCat("offered while ", o.phase == kOffered ? "offered" : "assigned",
                                  " to ", o.agent));
      }
      for (const auto& [ch, l] : r.load[e.agent]) {
        if (l > 0 && ch != e.channel && (exclusive.count(e.channel) || exclusive.count(ch))) {
          violation(e,
                    absl::StrCat("offered while holding ", l, " on exclusive-rule channel ", ch));
        }
      }
      o.phase = kOffered;
      o.agent = e.agent;
      o.channel = e.channel;
      add_load(e, e.agent, e.channel, +1);
    } else if (e.type == "accepted") {
      if (o.phase != kOffered || o.agent != e.agent) {
        violation(e, "accepted without an open offer to this agent");
      }
      o.phase = kAssigned;
    } else if (e.type == "rejected" || e.type == "offer_timeout") {
      if (o.phase != kOffered || o.agent != e.agent) {
        violation(e, "offer ended without an open offer to this agent");
      } else {
        add_load(e, e.agent, o.channel, -1);
      }
      o.phase = kNone;
      o.agent.clear();
    } else if (e.type == "completed") {
      ++r.completed[e.ix];
      if (o.phase != kAssigned || o.agent != e.agent) {
        violation(e, "completed without being assigned to this agent");
      } else {
        add_load(e, e.agent, o.channel, -1);
      }
      o.phase = kDone;
    } else if (e.type == "canceled") {
      if (o.phase == kAssigned) violation(e, "canceled while assigned");
      if (o.phase == kOffered) add_load(e, o.agent, o.channel, -1);
      o.phase = kDone;
    } else if (e.type == "rejected_by_policy") {
      if (o.phase != kNone) violation(e, "rejected by policy while offered or assigned");
      o.phase = kDone;
    }
  }
  return r;
}

// ---- HTTP and promtool -------------------------------------------------------------------

// GET http://127.0.0.1:<port><path>; returns the body ("" on failure) and the status code.
inline std::string HttpGet(int port, const std::string& path, int* status_code) {
  *status_code = 0;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (send(fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return "";
  }
  std::string raw;
  char buf[16384];
  for (int i = 0; i < 100000; ++i) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return "";
  std::string head = raw.substr(0, head_end);
  std::string body = raw.substr(head_end + 4);
  auto sp = head.find(' ');
  if (sp != std::string::npos) (void)absl::SimpleAtoi(head.substr(sp + 1, 3), status_code);
  std::string lower = head;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    std::string decoded;
    size_t pos = 0;
    while (pos < body.size()) {
      auto eol = body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      decoded += body.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
    body = decoded;
  }
  return body;
}

// Runs `command` with `input` on stdin; returns its exit code and fills `output` with its
// stdout and stderr.
inline int RunWithInput(const std::string& command, const std::string& input,
                        const std::string& tmp_path, std::string* output) {
  {
    FILE* f = std::fopen(tmp_path.c_str(), "w");
    if (f == nullptr) return -1;
    std::fwrite(input.data(), 1, input.size(), f);
    std::fclose(f);
  }
  std::string full = command + " < '" + tmp_path + "' 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  output->clear();
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
  int status = pclose(p);
  std::remove(tmp_path.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace omniroute::e2e
