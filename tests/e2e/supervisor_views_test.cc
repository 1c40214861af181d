// The supervisor views (Routing.GetAgent, ListAgents, ListWaiting and GetInteraction's queue
// position) against a scenario the test drives on the real services: agents of mixed channels,
// capacities and skills, one away and one logged out, some holding work; work of three
// channels and four priorities waiting in one queue at two bullseye steps and with an extra
// skill. The waiting order the views report must be the order a newly free agent is then
// offered the work in.
#include "tests/e2e/supervisor_views.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "google/protobuf/util/message_differencer.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::AgentSpec;
using e2e::Views;
using google::protobuf::util::MessageDifferencer;
using sim::ApiClient;

constexpr auto kVoice = v1::CHANNEL_VOICE;
constexpr auto kChat = v1::CHANNEL_CHAT;
constexpr auto kEmail = v1::CHANNEL_EMAIL;

// The default priority head starts (the tenant sets none): an order score is the queued time
// less this.
int64_t HeadStartMs(v1::Priority p) {
  switch (p) {
    case v1::PRIORITY_P1:
      return 120000;
    case v1::PRIORITY_P2:
      return 60000;
    case v1::PRIORITY_P3:
      return 30000;
    default:
      return 0;
  }
}

// support (voice, chat, email; skill support 2, lowered to 1 by a bullseye step after 2 s),
// billing (chat; billing 1); a rule sends work mentioning "spanish" to support needing
// spanish 1 (an extra-skill set of its own).
void SetUpTenant(ApiClient& api, const std::string& admin) {
  v1::PutQueueRequest support;
  auto* q = support.mutable_queue();
  q->set_name("support");
  for (auto ch : {kVoice, kChat, kEmail}) q->add_channels(ch);
  auto* skill = q->add_required_skills();
  skill->set_name("support");
  skill->set_proficiency(2);
  q->set_offer_timeout_seconds(300);
  auto* step = q->add_steps();
  step->set_after_seconds(2);
  auto* lower = step->add_lower_proficiency();
  lower->set_name("support");
  lower->set_proficiency(1);
  v1::PutQueueResponse resp;
  auto st = api.admin().PutQueue(ApiClient::Context(admin).get(), support, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  v1::PutQueueRequest billing;
  billing.mutable_queue()->set_name("billing");
  billing.mutable_queue()->add_channels(kChat);
  billing.mutable_queue()->set_offer_timeout_seconds(300);
  auto* b = billing.mutable_queue()->add_required_skills();
  b->set_name("billing");
  b->set_proficiency(1);
  st = api.admin().PutQueue(ApiClient::Context(admin).get(), billing, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  v1::TenantConfig config;
  config.set_default_queue("support");
  auto* rule = config.add_rules();
  rule->set_name("spanish");
  rule->add_keywords("spanish");
  rule->set_category("spanish");
  rule->set_queue("support");
  auto* es = rule->add_required_skills();
  es->set_name("spanish");
  es->set_proficiency(1);
  st = e2e::PutConfig(api, admin, config);
  ASSERT_TRUE(st.ok()) << st.error_message();
}

// A view's channels as {channel: (capacity, load, blocked)}.
std::map<int, std::tuple<int, int, int>> Slots(const v1::AgentView& v) {
  std::map<int, std::tuple<int, int, int>> out;
  for (const auto& c : v.channels()) out[c.channel()] = {c.capacity(), c.load(), c.blocked()};
  return out;
}

std::vector<std::string> Ids(const std::vector<v1::AgentView>& views) {
  std::vector<std::string> out;
  for (const auto& v : views) out.push_back(v.agent_id());
  return out;
}

std::vector<std::string> Ids(const std::vector<v1::WaitingItem>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.interaction_id());
  return out;
}

// The work of a view as "<id> <state> <since>" strings, in the view's order.
std::vector<std::string> Work(const v1::AgentView& v) {
  std::vector<std::string> out;
  for (const auto& w : v.work()) {
    out.push_back(w.interaction_id() + " " + v1::InteractionState_Name(w.state()) + " " +
                  std::to_string(w.since_ms()) + " " + w.queue());
  }
  return out;
}

TEST(SupervisorViewsE2E, AgentsAndWaitingWorkAreReportedAsTheyAreAndServedInTheOrderListed) {
  testing::Cluster cluster;
  ApiClient api(cluster.endpoints());
  Views views(api, cluster.CreateTenant("views"));
  SetUpTenant(api, views.key("admin"));

  // Agents. ann takes calls, chats and emails; bob chats and emails; cat is away for lunch;
  // dan serves billing only; eve logged in and out; gus is away without a reason.
  const std::vector<AgentSpec> agents = {
      {"ann", v1::AGENT_STATE_AVAILABLE, {{kVoice, 1}, {kChat, 2}, {kEmail, 2}}, {{"support", 4}}},
      {"bob",
       v1::AGENT_STATE_AVAILABLE,
       {{kChat, 1}, {kEmail, 1}},
       {{"support", 3}, {"billing", 2}}},
      {"cat", v1::AGENT_STATE_AWAY, {{kVoice, 1}, {kChat, 3}}, {{"support", 5}}, "lunch"},
      {"dan", v1::AGENT_STATE_AVAILABLE, {{kChat, 2}}, {{"billing", 3}}},
      {"eve", v1::AGENT_STATE_AVAILABLE, {{kEmail, 3}}, {{"support", 2}}},
      {"gus", v1::AGENT_STATE_AWAY, {{kEmail, 2}}, {{"support", 2}}},
  };
  std::map<std::string, std::pair<int64_t, int64_t>> logged_in;  // agent -> [before, after] ms
  for (const auto& a : agents) {
    int64_t before = e2e::WallMs();
    ASSERT_TRUE(views.SetState(a).ok()) << a.id;
    logged_in[a.id] = {before, e2e::WallMs()};
  }
  AgentSpec eve_out = agents[4];
  eve_out.state = v1::AGENT_STATE_OFFLINE;
  ASSERT_TRUE(views.SetState(eve_out).ok());

  // Work they hold: ann a call (accepted), bob a chat (offered only) and an email (accepted),
  // dan a billing chat (accepted). ann's call blocks her chat and email slots (voice is worked
  // alone by default), so the chat and the email can only go to bob.
  std::string call = views.Submit(kVoice, v1::PRIORITY_P3, "call", "support");
  ASSERT_TRUE(views.WaitState(call, v1::INTERACTION_STATE_OFFERED, "ann"));
  ASSERT_TRUE(views.Accept("ann", call).ok());
  std::string chat = views.Submit(kChat, v1::PRIORITY_P3, "chat", "support");
  ASSERT_TRUE(views.WaitState(chat, v1::INTERACTION_STATE_OFFERED, "bob"));
  std::string mail = views.Submit(kEmail, v1::PRIORITY_P3, "mail", "support");
  ASSERT_TRUE(views.WaitState(mail, v1::INTERACTION_STATE_OFFERED, "bob"));
  ASSERT_TRUE(views.Accept("bob", mail).ok());
  std::string bill = views.Submit(kChat, v1::PRIORITY_P3, "invoice", "billing");
  ASSERT_TRUE(views.WaitState(bill, v1::INTERACTION_STATE_OFFERED, "dan"));
  ASSERT_TRUE(views.Accept("dan", bill).ok());

  // GetAgent: state, slots, skills, queues, idle time and work as the test made them.
  std::map<std::string, v1::AgentView> got;
  for (const auto& a : agents) ASSERT_TRUE(views.GetAgent(a.id, &got[a.id]).ok()) << a.id;
  auto ix = [&](const std::string& id) { return views.Get(id).interaction(); };
  EXPECT_EQ(got["ann"].state(), v1::AGENT_STATE_AVAILABLE);
  EXPECT_EQ(Slots(got["ann"]), (std::map<int, std::tuple<int, int, int>>{
                                   {kVoice, {1, 1, 0}}, {kChat, {2, 0, 2}}, {kEmail, {2, 0, 2}}}));
  EXPECT_EQ(Work(got["ann"]),
            (std::vector<std::string>{call + " INTERACTION_STATE_ASSIGNED " +
                                      std::to_string(ix(call).assigned_at_ms()) + " support"}));
  EXPECT_EQ(got["ann"].idle_since_ms(), 0);
  EXPECT_EQ(Slots(got["bob"]),
            (std::map<int, std::tuple<int, int, int>>{{kChat, {1, 1, 0}}, {kEmail, {1, 1, 0}}}));
  EXPECT_EQ(Work(got["bob"]),
            (std::vector<std::string>{chat + " INTERACTION_STATE_OFFERED " +
                                          std::to_string(ix(chat).offered_at_ms()) + " support",
                                      mail + " INTERACTION_STATE_ASSIGNED " +
                                          std::to_string(ix(mail).assigned_at_ms()) + " support"}));
  EXPECT_EQ(Work(got["dan"]),
            (std::vector<std::string>{bill + " INTERACTION_STATE_ASSIGNED " +
                                      std::to_string(ix(bill).assigned_at_ms()) + " billing"}));
  EXPECT_EQ(Slots(got["dan"]), (std::map<int, std::tuple<int, int, int>>{{kChat, {2, 1, 0}}}));
  EXPECT_EQ(got["cat"].state(), v1::AGENT_STATE_AWAY);
  EXPECT_EQ(got["cat"].away_reason(), "lunch");
  EXPECT_EQ(Slots(got["cat"]),
            (std::map<int, std::tuple<int, int, int>>{{kVoice, {1, 0, 0}}, {kChat, {3, 0, 0}}}));
  EXPECT_GE(got["cat"].idle_since_ms(), logged_in["cat"].first);
  EXPECT_LE(got["cat"].idle_since_ms(), logged_in["cat"].second);
  EXPECT_TRUE(got["cat"].work().empty());
  EXPECT_EQ(got["gus"].state(), v1::AGENT_STATE_AWAY);
  EXPECT_EQ(got["gus"].away_reason(), "");
  EXPECT_EQ(got["eve"].state(), v1::AGENT_STATE_OFFLINE);
  for (const auto& a : agents) {
    std::vector<std::string> queues(got[a.id].eligible_queues().begin(),
                                    got[a.id].eligible_queues().end());
    std::vector<std::string> want;
    if (a.skills.count("billing") && a.id != "eve") want.push_back("billing");
    if (a.skills.count("support") && a.id != "eve") want.push_back("support");
    EXPECT_EQ(queues, want) << a.id;
    std::map<std::string, int> skills;
    for (const auto& s : got[a.id].skills()) skills[s.name()] = s.proficiency();
    EXPECT_EQ(skills, a.skills) << a.id;
  }

  // ListAgents, two at a time: every agent once, by id, each as GetAgent shows it.
  int pages = 0;
  auto listed = views.AllAgents(2, "", v1::AGENT_STATE_UNSPECIFIED, &pages);
  EXPECT_EQ(Ids(listed), (std::vector<std::string>{"ann", "bob", "cat", "dan", "eve", "gus"}));
  EXPECT_EQ(pages, 3);
  for (const auto& v : listed) {
    EXPECT_TRUE(MessageDifferencer::Equals(v, got[v.agent_id()])) << v.ShortDebugString();
  }
  using Names = std::vector<std::string>;
  EXPECT_EQ(Ids(views.AllAgents(1, "", v1::AGENT_STATE_AWAY)), (Names{"cat", "gus"}));
  EXPECT_EQ(Ids(views.AllAgents(1, "", v1::AGENT_STATE_OFFLINE)), (Names{"eve"}));
  EXPECT_EQ(Ids(views.AllAgents(3, "support")), (Names{"ann", "bob", "cat", "gus"}));
  EXPECT_EQ(Ids(views.AllAgents(1, "support", v1::AGENT_STATE_AVAILABLE)), (Names{"ann", "bob"}));
  EXPECT_EQ(Ids(views.AllAgents(1, "billing")), (Names{"bob", "dan"}));
  EXPECT_TRUE(views.AllAgents(5, "billing", v1::AGENT_STATE_OFFLINE).empty());

  // Work waits (nobody is free for support): a first batch, which reaches the bullseye step,
  // then a second one, with a Spanish email needing an extra skill.
  struct Item {
    std::string id;
    v1::Channel ch;
    bool early;
  };
  std::vector<Item> waiting;
  auto submit = [&](v1::Channel ch, v1::Priority p, const std::string& subject, bool early) {
    waiting.push_back({views.Submit(ch, p, subject, "support"), ch, early});
  };
  submit(kEmail, v1::PRIORITY_P4, "w1", true);
  submit(kChat, v1::PRIORITY_P2, "w2", true);
  submit(kEmail, v1::PRIORITY_P1, "w3", true);
  submit(kChat, v1::PRIORITY_P3, "w4", true);
  submit(kVoice, v1::PRIORITY_P3, "w5", true);
  for (const auto& w : waiting) ASSERT_TRUE(views.WaitState(w.id, v1::INTERACTION_STATE_QUEUED));
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        auto all = views.AllWaiting("support", v1::CHANNEL_UNSPECIFIED, 50);
        return all.size() == 5 &&
               std::all_of(all.begin(), all.end(), [](const auto& i) { return i.step() == 1; });
      },
      std::chrono::seconds(10)))
      << "the first batch never reached the bullseye step";
  submit(kEmail, v1::PRIORITY_P2, "spanish please", false);
  submit(kEmail, v1::PRIORITY_P3, "w7", false);
  submit(kChat, v1::PRIORITY_P1, "w8", false);
  submit(kEmail, v1::PRIORITY_P4, "w9", false);
  for (const auto& w : waiting) ASSERT_TRUE(views.WaitState(w.id, v1::INTERACTION_STATE_QUEUED));

  // The serving order of each channel, from what each interaction is: queued time less its
  // priority's head start, then id (arrival).
  std::map<int, std::vector<std::string>> order;
  std::map<std::string, bool> early;
  {
    std::map<int, std::vector<std::pair<int64_t, std::string>>> keyed;
    for (const auto& w : waiting) {
      auto i = ix(w.id);
      keyed[w.ch].push_back({i.queued_at_ms() - HeadStartMs(i.classification().priority()), w.id});
      early[w.id] = w.early;
    }
    for (auto& [ch, k] : keyed) {
      std::sort(k.begin(), k.end());
      for (const auto& [score, id] : k) order[ch].push_back(id);
    }
  }
  // (Neither arrival order nor priority order alone gives it.)
  ASSERT_EQ(order[kEmail].size(), 5u);
  EXPECT_NE(order[kEmail][0], waiting[0].id);

  // ListWaiting per channel, two at a time, and all channels (voice, chat, email) three at a
  // time: the order, 1-based positions per channel, steps, priorities and waits.
  v1::ListWaitingResponse last;
  int64_t before = e2e::WallMs();
  auto emails = views.AllWaiting("support", kEmail, 2, &last);
  int64_t after = e2e::WallMs();
  EXPECT_EQ(Ids(emails), order[kEmail]);
  EXPECT_EQ(last.total_waiting(), 5);
  EXPECT_EQ(last.reserved(), 0);
  for (size_t i = 0; i < emails.size(); ++i) {
    const auto& it = emails[i];
    auto x = ix(it.interaction_id());
    EXPECT_EQ(it.position(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(it.channel(), kEmail);
    EXPECT_EQ(it.priority(), x.classification().priority());
    EXPECT_EQ(it.enqueued_at_ms(), x.queued_at_ms());
    EXPECT_GE(it.enqueued_at_ms() + it.wait_ms(), before);
    EXPECT_LE(it.enqueued_at_ms() + it.wait_ms(), after);
    if (early[it.interaction_id()]) EXPECT_EQ(it.step(), 1) << it.ShortDebugString();
    if (!early[it.interaction_id()] && it.wait_ms() < 1500) EXPECT_EQ(it.step(), 0);
  }
  auto all = views.AllWaiting("support", v1::CHANNEL_UNSPECIFIED, 3, &last);
  std::vector<std::string> want_all;
  std::vector<int64_t> want_positions, positions;
  for (auto ch : {kVoice, kChat, kEmail}) {
    for (size_t i = 0; i < order[ch].size(); ++i) {
      want_all.push_back(order[ch][i]);
      want_positions.push_back(static_cast<int64_t>(i + 1));
    }
  }
  for (const auto& it : all) positions.push_back(it.position());
  EXPECT_EQ(Ids(all), want_all);
  EXPECT_EQ(positions, want_positions);
  EXPECT_EQ(last.total_waiting(), 9);

  // GetInteraction: each waiting interaction's position in its channel; 0 for held work.
  for (const auto& [ch, ids] : order) {
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(views.Get(ids[i]).queue_position(), static_cast<int64_t>(i + 1)) << ids[i];
    }
  }
  for (const auto& id : {call, chat, mail, bill}) EXPECT_EQ(views.Get(id).queue_position(), 0);

  // The order is the serving order: fay, free for email only, is offered the emails one by one
  // in the order listed; the positions of those still waiting move up as she works.
  ASSERT_TRUE(
      views
          .SetState(
              {"fay", v1::AGENT_STATE_AVAILABLE, {{kEmail, 1}}, {{"support", 5}, {"spanish", 2}}})
          .ok());
  const auto& mails = order[kEmail];
  for (size_t k = 0; k < mails.size(); ++k) {
    ASSERT_TRUE(views.WaitState(mails[k], v1::INTERACTION_STATE_OFFERED, "fay"))
        << "email " << k << " of the listed order was not the next one offered";
    v1::AgentView fay;
    ASSERT_TRUE(views.GetAgent("fay", &fay).ok());
    ASSERT_EQ(fay.work_size(), 1);
    EXPECT_EQ(fay.work(0).interaction_id(), mails[k]);
    EXPECT_EQ(fay.work(0).state(), v1::INTERACTION_STATE_OFFERED);
    EXPECT_EQ(Slots(fay), (std::map<int, std::tuple<int, int, int>>{{kEmail, {1, 1, 0}}}));
    for (size_t j = k + 1; j < mails.size(); ++j) {
      EXPECT_EQ(views.Get(mails[j]).queue_position(), static_cast<int64_t>(j - k)) << j;
    }
    ASSERT_TRUE(views.Accept("fay", mails[k]).ok());
    ASSERT_TRUE(views.Complete("fay", mails[k]).ok());
  }
  v1::AgentView fay;
  ASSERT_TRUE(views.GetAgent("fay", &fay).ok());
  EXPECT_TRUE(fay.work().empty());
  EXPECT_GT(fay.idle_since_ms(), 0);
}

}  // namespace
}  // namespace omniroute
