// omniroute-ctl's views of routing (explain, events tail) run as processes against the real
// services, checked against what routing recorded (ExplainRouting, the event feed in Redis).
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "absl/strings/match.h"
#include "services/common/grpc/published.h"
#include "tests/e2e/ctl_fixture.h"

namespace omniroute {
namespace {

using e2e::CommandResult;
using google::protobuf::util::MessageDifferencer;

class CtlViewsE2E : public CtlE2E {
 protected:
  // A chat queue every chat goes to, agent-1 logged in, and one chat offered to it.
  void SetUp() override {
    CtlE2E::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(
        Ctl(Api({"queues", "put", WriteFile("q.yaml", "name: support\nchannels: [2]\n")})).code, 0);
    ASSERT_EQ(Ctl(Api({"config", "put", WriteFile("c.yaml", "default_queue: support\n")})).code, 0);
    ASSERT_TRUE(LogIn("agent-1").ok());
    offered_ = e2e::SubmitChat(api_, keys_["integrator"], "my card is blocked");
    ASSERT_TRUE(e2e::WaitFor(
        [&] {
          return e2e::GetInteraction(api_, keys_["integrator"], offered_).state() ==
                 v1::INTERACTION_STATE_OFFERED;
        },
        std::chrono::seconds(15)));
  }
  std::string offered_;
};

TEST_F(CtlViewsE2E, ExplainShowsTheDecisionsRoutingRecorded) {
  v1::ExplainRoutingRequest req;
  req.set_interaction_id(offered_);
  v1::ExplainRoutingResponse recorded;
  ASSERT_TRUE(api_.routing().ExplainRouting(Admin().get(), req, &recorded).ok());
  ASSERT_GE(recorded.decisions_size(), 1);

  CommandResult text = Ctl(Api({"explain", offered_}));
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_TRUE(absl::StartsWith(text.out, "interaction " + offered_ + ": " +
                                             std::to_string(recorded.decisions_size()) +
                                             " routing decision(s)\n"))
      << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "queue support  CHANNEL_CHAT  trigger ")) << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "chosen agent-1;")) << text.out;
  for (const char* output : {"json", "yaml"}) {
    CommandResult r = Ctl(Api({"explain", offered_, "--output", output}));
    ASSERT_EQ(r.code, 0) << r.err;
    if (std::string(output) == "json") {
      v1::ExplainRoutingResponse printed;
      ASSERT_TRUE(published::FromJson(r.out, &printed).ok()) << r.out;
      EXPECT_TRUE(MessageDifferencer::Equals(printed, recorded)) << r.out;
    } else {
      EXPECT_TRUE(absl::StrContains(r.out, "chosen_agent_id: agent-1\n")) << r.out;
    }
  }
  CommandResult unknown = Ctl(Api({"explain", std::string(32, 'a')}));
  EXPECT_EQ(unknown.code, 3) << unknown.err;
  EXPECT_TRUE(absl::StrContains(unknown.err, "NOT_FOUND")) << unknown.err;
}

TEST_F(CtlViewsE2E, EventsTailPrintsTheFeedFromWhereItIsToldAndStops) {
  const auto feed = e2e::ReadFeedFromRedis(*redis_conn_, "acme");
  ASSERT_GE(feed.size(), 4u);
  // --from 0 --count 3: the three oldest events, one line each.
  CommandResult three = Ctl(Api({"events", "tail", "--from", "0", "--count", "3"}));
  ASSERT_EQ(three.code, 0) << three.err;
  auto rows = Rows(three.out);
  ASSERT_EQ(rows.size(), 3u) << three.out;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(rows[i][0], feed[i].id);
    EXPECT_EQ(rows[i][2], feed[i].type);
  }
  // --after the first, as JSON lines.
  CommandResult json =
      Ctl(Api({"events", "tail", "--after", feed[0].id, "--count", "2", "--output", "json"}));
  ASSERT_EQ(json.code, 0) << json.err;
  std::vector<std::string> lines = absl::StrSplit(json.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << json.out;  // one object per line
  for (size_t i = 0; i < 2; ++i) {
    v1::Event e;
    ASSERT_TRUE(published::FromJson(lines[i], &e).ok()) << lines[i];
    EXPECT_EQ(e.event_id(), feed[i + 1].id);
    EXPECT_EQ(e.type(), feed[i + 1].type);
  }
  // Without --count or --follow it prints what the feed holds and stops once it is idle.
  auto started = e2e::Clock::now();
  CommandResult all = Ctl(Api({"events", "tail", "--from", "0", "--idle-ms", "700"}));
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_LT(e2e::SecondsSince(started), 10);
  auto all_rows = Rows(all.out);
  ASSERT_GE(all_rows.size(), feed.size());
  for (size_t i = 0; i < feed.size(); ++i) EXPECT_EQ(all_rows[i][0], feed[i].id);
  // The offer is in it, with its interaction, agent and queue.
  EXPECT_TRUE(absl::StrContains(
      all.out, "offered  interaction=" + offered_ + "  agent=agent-1  queue=support"))
      << all.out;
}

TEST_F(CtlViewsE2E, EventsTailFollowsUntilCtrlC) {
  std::vector<std::string> args = Api({"events", "tail", "--follow"});
  testing::Process tail(testing::BinDir() + "/omniroute-ctl", args, cluster_.dir() + "/tail.log");
  // Only new events: chats submitted once it runs show up (it may miss those submitted while
  // the stream opened, so it gets a new one until one shows), then Ctrl-C ends it with 0.
  std::vector<std::string> submitted;
  auto shown = [&] {
    std::string log = tail.ReadLog();
    for (const auto& id : submitted) {
      if (absl::StrContains(log, "submitted  interaction=" + id)) return true;
    }
    return false;
  };
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        submitted.push_back(e2e::SubmitChat(api_, keys_["integrator"], "another one"));
        return e2e::WaitFor(shown, std::chrono::milliseconds(500));
      },
      std::chrono::seconds(15), std::chrono::milliseconds(1)))
      << tail.ReadLog();
  EXPECT_FALSE(absl::StrContains(tail.ReadLog(), offered_)) << "an old event was printed";
  ASSERT_TRUE(tail.Running());
  tail.Signal(SIGINT);
  EXPECT_EQ(tail.Wait(5000), 0) << tail.ReadLog();
}

TEST_F(CtlViewsE2E, AgentsListShowLogoutAndWaitingShowWhatRoutingHolds) {
  // agent-2 is away; two more chats wait behind agent-1's offer.
  ASSERT_TRUE(LogIn("agent-2", v1::AGENT_STATE_AWAY).ok());
  std::vector<std::string> waiting;
  for (int i = 0; i < 2; ++i) {
    waiting.push_back(e2e::SubmitChat(api_, keys_["integrator"], "waiting " + std::to_string(i)));
    ASSERT_TRUE(e2e::WaitFor(
        [&] {
          return e2e::GetInteraction(api_, keys_["integrator"], waiting.back()).state() ==
                 v1::INTERACTION_STATE_QUEUED;
        },
        std::chrono::seconds(15)));
  }

  // agents list: one row per agent, as ListAgents has them.
  CommandResult list = Ctl(Api({"agents", "list"}));
  ASSERT_EQ(list.code, 0) << list.err;
  auto rows = Rows(list.out);
  ASSERT_EQ(rows.size(), 3u) << list.out;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"AGENT", "STATE", "LOAD", "IDLE_SINCE", "QUEUES"}));
  EXPECT_EQ(rows[1],
            (std::vector<std::string>{"agent-1", "available", "chat", "1/1", "-", "support"}));
  EXPECT_EQ(rows[2][0], "agent-2");
  EXPECT_EQ(rows[2][1], "away");
  EXPECT_EQ(rows[2][3], "0/1");
  CommandResult away = Ctl(Api({"agents", "list", "--state", "away"}));
  ASSERT_EQ(away.code, 0) << away.err;
  ASSERT_EQ(Rows(away.out).size(), 2u) << away.out;
  EXPECT_EQ(Rows(away.out)[1][0], "agent-2");
  v1::ListAgentsRequest lr;
  v1::ListAgentsResponse listed;
  ASSERT_TRUE(api_.routing().ListAgents(Admin().get(), lr, &listed).ok());
  CommandResult list_json = Ctl(Api({"agents", "list", "--output", "json"}));
  v1::ListAgentsResponse printed;
  ASSERT_TRUE(published::FromJson(list_json.out, &printed).ok()) << list_json.out;
  EXPECT_TRUE(MessageDifferencer::Equals(printed, listed)) << list_json.out;

  // agents show: the agent as GetAgent has it, holding the offer.
  v1::GetAgentRequest gr;
  gr.set_agent_id("agent-1");
  v1::AgentView agent1;
  ASSERT_TRUE(api_.routing().GetAgent(Admin().get(), gr, &agent1).ok());
  CommandResult show = Ctl(Api({"agents", "show", "agent-1"}));
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_TRUE(absl::StrContains(show.out, "interaction_id: " + offered_)) << show.out;
  EXPECT_TRUE(absl::StrContains(show.out, "state: AGENT_STATE_AVAILABLE\n")) << show.out;
  CommandResult show_json = Ctl(Api({"agents", "show", "agent-1", "--output", "json"}));
  v1::AgentView shown;
  ASSERT_TRUE(published::FromJson(show_json.out, &shown).ok()) << show_json.out;
  EXPECT_TRUE(MessageDifferencer::Equals(shown, agent1)) << show_json.out;
  EXPECT_EQ(Ctl(Api({"agents", "show", "nobody"})).code, 3);

  // waiting: the two chats in serving order.
  CommandResult wait = Ctl(Api({"waiting", "support", "--channel", "chat"}));
  ASSERT_EQ(wait.code, 0) << wait.err;
  auto wrows = Rows(wait.out);
  ASSERT_EQ(wrows.size(), 4u) << wait.out;
  EXPECT_EQ(wrows[0], (std::vector<std::string>{"POS", "INTERACTION", "CHANNEL", "PRIORITY", "STEP",
                                                "WAITED"}));
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(wrows[1 + i][0], std::to_string(i + 1));
    EXPECT_EQ(wrows[1 + i][1], waiting[i]);
    EXPECT_EQ(wrows[1 + i][2], "chat");
  }
  EXPECT_EQ(wait.out.substr(wait.out.rfind('\n', wait.out.size() - 2) + 1),
            "2 waiting, 0 held for their preferred agent\n");
  CommandResult first = Ctl(Api({"waiting", "support", "--limit", "1", "--output", "json"}));
  v1::ListWaitingResponse page;
  ASSERT_TRUE(published::FromJson(first.out, &page).ok()) << first.out;
  ASSERT_EQ(page.items_size(), 1);
  EXPECT_EQ(page.items(0).interaction_id(), waiting[0]);
  EXPECT_EQ(page.total_waiting(), 2);
  CommandResult fax = Ctl(Api({"waiting", "support", "--channel", "fax"}));
  EXPECT_EQ(fax.code, 2);
  EXPECT_TRUE(absl::StrContains(fax.err, "--channel: 'fax'")) << fax.err;
  EXPECT_EQ(Ctl(Api({"waiting", "nowhere"})).code, 3);

  // agents logout: a key with role admin alone may not; the operator's (supervisor) may. The
  // agent is OFFLINE and its offer waits again.
  CommandResult typo = Ctl(Api({"agents", "logout", "agnet-1"}));
  EXPECT_EQ(typo.code, 3) << typo.err;
  EXPECT_EQ(e2e::CmdInt(*redis_conn_, {"SISMEMBER", "{t:acme}:agents", "agnet-1"}), 0);
  EXPECT_EQ(e2e::CmdInt(*redis_conn_, {"SISMEMBER", "{t:acme}:agents", "agent-1"}), 1);
  CommandResult admin_only = Ctl(Api({"agents", "logout", "agent-1"}, keys_["admin"]));
  EXPECT_EQ(admin_only.code, 4) << admin_only.err;
  EXPECT_EQ(HGet("{t:acme}:ag:agent-1", "state"), "available");
  CommandResult logout = Ctl(Api({"agents", "logout", "agent-1"}));
  ASSERT_EQ(logout.code, 0) << logout.err;
  EXPECT_EQ(logout.out, "logged out agent agent-1\n");
  EXPECT_EQ(HGet("{t:acme}:ag:agent-1", "state"), "offline");
  ASSERT_TRUE(api_.routing().GetAgent(Admin().get(), gr, &agent1).ok());
  EXPECT_EQ(agent1.state(), v1::AGENT_STATE_OFFLINE);
  EXPECT_TRUE(e2e::WaitFor(
      [&] {
        return absl::StrContains(Ctl(Api({"waiting", "support"})).out,
                                 "3 waiting, 0 held for their preferred agent");
      },
      std::chrono::seconds(10)));
}

}  // namespace
}  // namespace omniroute
