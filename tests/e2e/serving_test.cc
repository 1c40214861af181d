// Serving without a thread per stream: 10,000 open WatchOffers + WatchEvents streams on one
// routing replica, almost none of them read, while an agent who does read gets its offers and
// settles them through unary calls on the same replica. The routing process's threads and
// memory must stay bounded (/proc/<pid>/status).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using sim::ApiClient;

constexpr int kIdleOfferStreams = 5000;
constexpr int kIdleEventStreams = 5000;
constexpr int kChannels = 4;
constexpr int kInteractions = 30;
// Threads of an idle routing replica are ~35 (16 RPC workers, the hub, 4 background loops,
// gRPC's event engine, executor and timer threads, the metrics server's) plus the HTTP front's
// fixed pool (routing's default --http-threads, 64, and civetweb's master); a thread per stream
// would be 10,000. 64 leaves room for gRPC's pools to grow under load.
constexpr int kHttpFrontThreads = 64 + 1;
constexpr int kMaxThreads = 64 + kHttpFrontThreads;
// What 10,000 streams may add to the resident set: each holds a gRPC call, an HTTP/2 stream and
// a watch (up to --watch-buffer shared records), plus what gRPC buffers for a client that does
// not read (up to about one flow-control window per stream). Measured: ~21 kB per open stream,
// ~25 kB once every WatchEvents stream got the events of the interactions below; a thread per
// stream would cost its stack and a Redis connection's buffers besides.
constexpr int64_t kMaxGrowthKb = 400 * 1024;

// One field of /proc/<pid>/status ("Threads", "VmRSS"), as a number (kB for sizes).
int64_t ProcStatus(pid_t pid, const std::string& field) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::istringstream in(line.substr(field.size() + 1));
    int64_t v = 0;
    in >> v;
    return v;
  }
  return -1;
}

// Thread names of the process, counted ("routing-rpc x16 ...").
std::string ThreadNames(pid_t pid) {
  std::map<std::string, int> names;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  std::unique_ptr<FILE, int (*)(FILE*)> ls(popen(("ls " + dir).c_str(), "r"), pclose);
  char buf[64];
  while (ls && std::fgets(buf, sizeof(buf), ls.get())) {
    std::string tid(buf);
    tid.erase(tid.find_last_not_of("\n") + 1);
    std::ifstream comm(dir + "/" + tid + "/comm");
    std::string name;
    std::getline(comm, name);
    ++names[name];
  }
  std::string out;
  for (const auto& [name, n] : names) out += name + " x" + std::to_string(n) + ", ";
  return out;
}

// Sum of omniroute_watch_streams on a replica's /metrics.
int64_t OpenStreams(int metrics_port) {
  int code = 0;
  std::string body = e2e::HttpGet(metrics_port, "/metrics", &code);
  int64_t total = 0;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("omniroute_watch_streams{", 0) != 0) continue;
    double v = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &v)) total += static_cast<int64_t>(v);
  }
  return total;
}

// Sum of omniroute_grpc_requests_total of one method on a replica, by status code.
std::map<std::string, int64_t> Requests(int metrics_port, const std::string& method) {
  int code = 0;
  std::string body = e2e::HttpGet(metrics_port, "/metrics", &code);
  std::map<std::string, int64_t> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("omniroute_grpc_requests_total{", 0) != 0) continue;
    if (line.find("method=\"" + method + "\"") == std::string::npos) continue;
    auto c = line.find("code=\"");
    if (c == std::string::npos) continue;
    std::string status = line.substr(c + 6, line.find('"', c + 6) - c - 6);
    double v = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &v))
      out[status] += static_cast<int64_t>(v);
  }
  return out;
}

// A stream that is started and never read: the client of a desktop that stopped reading.
template <typename Request, typename Message>
class IdleStream : public grpc::ClientReadReactor<Message> {
 public:
  using Starter = void (v1::Routing::Stub::async_interface::*)(grpc::ClientContext*, const Request*,
                                                               grpc::ClientReadReactor<Message>*);
  IdleStream(v1::Routing::Stub& stub, Starter start, const std::string& key, Request request,
             std::atomic<int>* done)
      : ctx_(ApiClient::Context(key, std::chrono::minutes(5))),
        request_(std::move(request)),
        done_(done) {
    (stub.async()->*start)(ctx_.get(), &request_, this);
    this->StartCall();
  }
  void OnDone(const grpc::Status& s) override {
    status_ = s;
    ++*done_;
  }
  void Cancel() { ctx_->TryCancel(); }

 private:
  std::unique_ptr<grpc::ClientContext> ctx_;
  Request request_;
  std::atomic<int>* done_;
  grpc::Status status_;
};

using IdleOffers = IdleStream<v1::WatchOffersRequest, v1::Offer>;
using IdleEvents = IdleStream<v1::WatchEventsRequest, v1::Event>;

TEST(ServingE2E, TenThousandMostlyUnreadStreamsKeepRoutingThreadsAndMemoryBounded) {
  auto t0 = e2e::Clock::now();
  testing::Cluster cluster;
  ApiClient api(cluster.endpoints());
  auto keys = cluster.CreateTenant("many");
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 0);
  if (HasFatalFailure()) return;
  // WatchOffers is for agents that logged in: an unknown agent id is NOT_FOUND, at once.
  {
    v1::WatchOffersRequest r;
    r.set_agent_id("never-logged-in");
    auto ctx = ApiClient::Context(keys["agent"]);
    auto stream = api.routing().WatchOffers(ctx.get(), r);
    v1::Offer offer;
    EXPECT_FALSE(stream->Read(&offer));
    auto st = stream->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  }
  // So the idle desktops' agents log in first, AWAY (they take no work).
  {
    std::vector<std::thread> loggers;
    std::atomic<int> failed{0};
    for (int t = 0; t < 4; ++t) {
      loggers.emplace_back([&, t] {
        for (int i = t; i < kIdleOfferStreams; i += 4) {
          v1::SetAgentStateRequest r;
          r.set_agent_id("idle-" + std::to_string(i));
          r.set_state(v1::AGENT_STATE_AWAY);
          v1::SetAgentStateResponse resp;
          auto ctx = ApiClient::Context(keys["agent"]);
          if (!api.routing().SetAgentState(ctx.get(), r, &resp).ok()) ++failed;
        }
      });
    }
    for (auto& t : loggers) t.join();
    ASSERT_EQ(failed.load(), 0) << "agents that could not log in";
  }
  testing::Replica& routing = *cluster.Replicas("routing")[0];
  pid_t pid = routing.process->pid();
  int64_t threads_before = ProcStatus(pid, "Threads");
  int64_t rss_before = ProcStatus(pid, "VmRSS");
  std::printf("routing before: %lld threads, RSS %lld kB\n  %s\n",
              static_cast<long long>(threads_before), static_cast<long long>(rss_before),
              ThreadNames(pid).c_str());

  // The idle streams, spread over a few connections like many desktops behind a few proxies.
  std::vector<std::unique_ptr<v1::Routing::Stub>> stubs;
  for (int i = 0; i < kChannels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("omniroute.test.channel", i);  // distinct args: a connection of its own
    stubs.push_back(v1::Routing::NewStub(
        grpc::CreateCustomChannel(routing.address(), grpc::InsecureChannelCredentials(), args)));
  }
  std::atomic<int> idle_done{0};
  std::vector<std::unique_ptr<IdleOffers>> offer_streams;
  std::vector<std::unique_ptr<IdleEvents>> event_streams;
  for (int i = 0; i < kIdleOfferStreams; ++i) {
    v1::WatchOffersRequest r;
    r.set_agent_id("idle-" + std::to_string(i));
    offer_streams.push_back(std::make_unique<IdleOffers>(
        *stubs[i % kChannels], &v1::Routing::Stub::async_interface::WatchOffers, keys["agent"], r,
        &idle_done));
  }
  for (int i = 0; i < kIdleEventStreams; ++i) {
    event_streams.push_back(std::make_unique<IdleEvents>(
        *stubs[i % kChannels], &v1::Routing::Stub::async_interface::WatchEvents, keys["supervisor"],
        v1::WatchEventsRequest(), &idle_done));
  }
  const int kIdle = kIdleOfferStreams + kIdleEventStreams;
  ASSERT_TRUE(e2e::WaitFor([&] { return OpenStreams(routing.metrics_port) >= kIdle; },
                           std::chrono::seconds(30)))
      << "open streams on the replica: " << OpenStreams(routing.metrics_port)
      << ", ended: " << idle_done.load();
  int64_t rss_open = ProcStatus(pid, "VmRSS");
  std::printf("%d idle streams open after %.1f s: %lld threads, RSS %lld kB\n", kIdle,
              e2e::SecondsSince(t0), static_cast<long long>(ProcStatus(pid, "Threads")),
              static_cast<long long>(rss_open));

  // An agent who reads: offers reach it, and it settles them with unary calls on this replica.
  {
    v1::SetAgentStateRequest r;
    r.set_agent_id("reader");
    r.set_state(v1::AGENT_STATE_AVAILABLE);
    auto* c = r.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(1);
    v1::SetAgentStateResponse resp;
    auto st = api.routing().SetAgentState(ApiClient::Context(keys["agent"]).get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  auto watch_ctx = ApiClient::Context(keys["agent"], std::chrono::seconds(60));
  // The same agent's second desktop tab: it only reads, and must see every offer too.
  auto tab_ctx = ApiClient::Context(keys["agent"], std::chrono::seconds(60));
  std::atomic<int> tab_offers{0};
  std::thread tab([&] {
    v1::WatchOffersRequest r;
    r.set_agent_id("reader");
    auto stream = api.routing().WatchOffers(tab_ctx.get(), r);
    v1::Offer o;
    while (stream->Read(&o)) {
      if (!o.rescinded()) ++tab_offers;
    }
    (void)stream->Finish();
  });
  std::atomic<int> settled{0};
  std::vector<std::string> errors;
  std::thread reader([&] {
    v1::WatchOffersRequest r;
    r.set_agent_id("reader");
    auto stream = api.routing().WatchOffers(watch_ctx.get(), r);
    v1::Offer o;
    while (settled.load() < kInteractions && stream->Read(&o)) {
      if (o.rescinded()) continue;
      v1::AcceptOfferRequest a;
      a.set_agent_id("reader");
      a.set_interaction_id(o.interaction_id());
      v1::AcceptOfferResponse ar;
      auto st = api.routing().AcceptOffer(ApiClient::Context(keys["agent"]).get(), a, &ar);
      if (!st.ok() || ar.interaction().interaction_id() != o.interaction_id()) {
        errors.push_back("accept: " + st.error_message());
        continue;
      }
      v1::CompleteInteractionRequest c;
      c.set_agent_id("reader");
      c.set_interaction_id(o.interaction_id());
      v1::CompleteInteractionResponse cr;
      st = api.routing().CompleteInteraction(ApiClient::Context(keys["agent"]).get(), c, &cr);
      if (!st.ok()) errors.push_back("complete: " + st.error_message());
      ++settled;
    }
    watch_ctx->TryCancel();
    (void)stream->Finish();
  });
  int64_t threads_peak = 0, rss_peak = 0;
  auto sample = [&] {
    threads_peak = std::max(threads_peak, ProcStatus(pid, "Threads"));
    rss_peak = std::max(rss_peak, ProcStatus(pid, "VmRSS"));
  };
  for (int i = 0; i < kInteractions; ++i) {
    ASSERT_FALSE(e2e::SubmitChat(api, keys["integrator"], "Card blocked").empty());
    v1::GetQueueStatsRequest q;
    q.set_queue("chat");
    v1::GetQueueStatsResponse qr;
    auto st = api.routing().GetQueueStats(ApiClient::Context(keys["supervisor"]).get(), q, &qr);
    EXPECT_TRUE(st.ok()) << st.error_message();
    sample();
  }
  bool all_settled = e2e::WaitFor(
      [&] {
        sample();
        return settled.load() >= kInteractions;
      },
      std::chrono::seconds(30));
  if (!all_settled) watch_ctx->TryCancel();
  reader.join();
  EXPECT_TRUE(
      e2e::WaitFor([&] { return tab_offers.load() >= kInteractions; }, std::chrono::seconds(10)))
      << "the second tab got " << tab_offers.load() << " offers";
  tab_ctx->TryCancel();
  tab.join();
  EXPECT_TRUE(all_settled) << "the reading agent settled " << settled.load() << " of "
                           << kInteractions;
  EXPECT_TRUE(errors.empty()) << errors.front();
  std::printf("%d interactions routed and settled after %.1f s\n", settled.load(),
              e2e::SecondsSince(t0));
  // The events of those interactions reached (the buffers of) every idle WatchEvents stream.
  // The two streams the reader canceled leave the gauge once the server has torn them down
  // (under load that can take longer than a moment); the idle ones must all still be there.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  sample();
  EXPECT_TRUE(e2e::WaitFor([&] { return OpenStreams(routing.metrics_port) == kIdle; },
                           std::chrono::seconds(10)))
      << "idle streams must stay open: " << OpenStreams(routing.metrics_port) << " open, " << kIdle
      << " idle";
  EXPECT_EQ(idle_done.load(), 0);
  std::printf(
      "routing with %d open streams: peak %lld threads, peak RSS %lld kB (+%lld kB, %.1f kB per "
      "stream)\n  %s\n",
      kIdle, static_cast<long long>(threads_peak), static_cast<long long>(rss_peak),
      static_cast<long long>(rss_peak - rss_before),
      static_cast<double>(rss_peak - rss_before) / kIdle, ThreadNames(pid).c_str());
  EXPECT_LT(threads_peak, kMaxThreads);
  EXPECT_LT(rss_peak - rss_before, kMaxGrowthKb);

  for (auto& s : offer_streams) s->Cancel();
  for (auto& s : event_streams) s->Cancel();
  EXPECT_TRUE(e2e::WaitFor([&] { return idle_done.load() == kIdle; }, std::chrono::seconds(20)));
  EXPECT_TRUE(e2e::WaitFor([&] { return OpenStreams(routing.metrics_port) == 0; },
                           std::chrono::seconds(10)))
      << "streams still open on the replica: " << OpenStreams(routing.metrics_port);
  // The per-RPC metrics count the callback calls like the sync ones did.
  auto accepted = Requests(routing.metrics_port, "/omniroute.v1.Routing/AcceptOffer");
  auto stats = Requests(routing.metrics_port, "/omniroute.v1.Routing/GetQueueStats");
  auto watches = Requests(routing.metrics_port, "/omniroute.v1.Routing/WatchEvents");
  EXPECT_EQ(accepted["OK"], kInteractions);
  EXPECT_EQ(stats["OK"], kInteractions);
  int64_t watch_calls = 0;
  for (const auto& [code, n] : watches) watch_calls += n;
  EXPECT_EQ(watch_calls, kIdleEventStreams);
  std::printf("requests_total: AcceptOffer OK %lld, GetQueueStats OK %lld, WatchEvents %lld\n",
              static_cast<long long>(accepted["OK"]), static_cast<long long>(stats["OK"]),
              static_cast<long long>(watch_calls));
  std::printf("done after %.1f s\n", e2e::SecondsSince(t0));
  if (idle_done.load() != kIdle) {
    // gRPC still holds reactors that did not finish: leak them rather than free them under it.
    for (auto& st : offer_streams) (void)st.release();
    for (auto& st : event_streams) (void)st.release();
  }
}

}  // namespace
}  // namespace omniroute
