#include "tests/e2e/randomized_checks.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/e2e/e2e_util.h"

namespace omniroute::e2e {
namespace {

v1::InteractionState TerminalState(const std::string& type) {
  if (type == "completed") return v1::INTERACTION_STATE_COMPLETED;
  if (type == "canceled") return v1::INTERACTION_STATE_CANCELED;
  return v1::INTERACTION_STATE_REJECTED;
}

}  // namespace

bool IsTerminal(const std::string& type) {
  return type == "completed" || type == "canceled" || type == "rejected_by_policy";
}

void CheckAgentsSettle(RandomizedWorld& w, redis::Connection& redis, RunOutcome* out,
                       std::map<std::string, sim::AgentStats>* agent_stats) {
  sim::AgentStats& stats = out->stats;
  for (auto& a : w.agents) {
    EXPECT_TRUE(a->Settle()) << a->id();
    auto s = a->Stats();
    (*agent_stats)[a->id()] = s;
    stats.offers += s.offers;
    stats.accepted += s.accepted;
    stats.rejected += s.rejected;
    stats.missed += s.missed;
    stats.comebacks += s.comebacks;
    stats.breaks += s.breaks;
    stats.skill_changes += s.skill_changes;
    stats.state_failed += s.state_failed;
    stats.completed += s.completed;
    stats.accept_failed += s.accept_failed;
  }
  EXPECT_EQ(stats.state_failed, 0) << "SetAgentState calls failed";
  int busy_at_end = 0;
  for (const auto& [agent, caps] : w.capacity) {
    auto kv = Cmd(redis, {"HGETALL", w.P + ":ag:" + agent});
    for (size_t i = 0; i + 1 < kv.elements.size(); i += 2) {
      const auto& field = kv.elements[i].str;
      const auto& value = kv.elements[i + 1].str;
      if ((field.rfind("load:", 0) == 0 && value != "0") ||
          (field == "state" && value != "available")) {
        if (++busy_at_end <= 5) ADD_FAILURE() << agent << " " << field << "=" << value;
      }
    }
  }
  EXPECT_EQ(busy_at_end, 0);
}

void CheckOwnersAndCapacity(const Replay& replay, RunOutcome* out) {
  for (const auto& v : replay.violations) {
    ADD_FAILURE() << "invariant violated: " << v;
    bool cap = v.find("capacity") != std::string::npos ||
               v.find("below zero") != std::string::npos ||
               v.find("exclusive") != std::string::npos;
    cap ? ++out->capacity_violations : ++out->owner_violations;
  }
  for (const auto& [agent, by_ch] : replay.load) {
    for (const auto& [ch, l] : by_ch) EXPECT_EQ(l, 0) << agent << " channel " << ch;
  }
}

void CheckTerminalStates(RandomizedWorld& w, const std::set<std::string>& acked,
                         const std::map<std::string, std::vector<std::string>>& terminal,
                         const Replay& replay, RunOutcome* out) {
  int &no_end = out->no_end, &many_ends = out->many_ends, &unknown = out->unknown,
      &mismatched = out->mismatched;
  std::map<std::string, int64_t>& ends = out->ends;
  for (const auto& id : acked) {
    auto it = terminal.find(id);
    if (it == terminal.end()) {
      if (++no_end <= 5) ADD_FAILURE() << id << " never ended";
    } else {
      ++ends[it->second.front()];
      if (it->second.size() > 1 && ++many_ends <= 5) {
        ADD_FAILURE() << id << " ended " << it->second.size() << " times";
      }
    }
  }
  for (const auto& [id, types] : terminal) unknown += acked.count(id) ? 0 : 1;
  EXPECT_EQ(no_end, 0);
  EXPECT_EQ(many_ends, 0);
  EXPECT_EQ(unknown, 0);
  EXPECT_EQ(replay.submitted.size(), acked.size());
  {
    std::vector<std::string> ids(acked.begin(), acked.end());
    std::vector<std::thread> readers;
    std::mutex mu;
    for (int t = 0; t < 4; ++t) {
      readers.emplace_back([&, t] {
        for (size_t i = t; i < ids.size(); i += 4) {
          v1::GetInteractionRequest g;
          g.set_interaction_id(ids[i]);
          v1::GetInteractionResponse gr;
          auto st = w.apis[t % 2]->intake().GetInteraction(
              sim::ApiClient::Context(w.keys["integrator"]).get(), g, &gr);
          auto it = terminal.find(ids[i]);
          bool ok = st.ok() && it != terminal.end() &&
                    gr.interaction().state() == TerminalState(it->second.front());
          if (!ok) {
            std::lock_guard<std::mutex> lock(mu);
            if (++mismatched <= 5) {
              ADD_FAILURE() << ids[i] << " GetInteraction status " << st.error_code() << " state "
                            << v1::InteractionState_Name(gr.interaction().state()) << ", feed "
                            << (it == terminal.end() ? "none" : it->second.front());
            }
          }
        }
      });
    }
    for (auto& r : readers) r.join();
  }
  EXPECT_EQ(mismatched, 0);
}

void CheckNothingLeft(RandomizedWorld& w, redis::Connection& redis, Replay& replay,
                      RunOutcome* out) {
  std::vector<std::string>& leftovers = out->leftovers;
  auto keys_left = [&](const std::string& pattern) {
    auto r = Cmd(redis, {"KEYS", w.P + pattern});
    if (!r.elements.empty()) {
      leftovers.push_back(
          absl::StrCat(r.elements.size(), " keys ", pattern, " (e.g. ", r.elements[0].str, ")"));
    }
  };
  for (const char* pattern : {":q:*", ":qt:*", ":qsig:*", ":qa:*", ":skip:*", ":pref:*"}) {
    keys_left(pattern);
  }
  {
    // Whose skip sets are left, for the report.
    std::map<std::string, int> by_end;
    for (const auto& k : Cmd(redis, {"KEYS", w.P + ":skip:*"}).elements) {
      std::string id = k.str.substr(k.str.rfind(':') + 1);
      auto f = Cmd(redis, {"HMGET", w.P + ":ix:" + id, "state", "end_reason"});
      if (f.elements.size() == 2) ++by_end[f.elements[0].str + "/" + f.elements[1].str];
    }
    for (const auto& [end, n] : by_end) {
      leftovers.push_back(absl::StrCat(n, " skip sets of interactions ended ", end));
    }
  }
  auto count_left = [&](const std::string& what, int64_t n) {
    if (n != 0) leftovers.push_back(absl::StrCat(what, "=", n));
  };
  count_left("timers", CmdInt(redis, {"ZCARD", w.P + ":timers"}));
  count_left("preft", CmdInt(redis, {"ZCARD", w.P + ":preft"}));
  count_left("step timers", CmdInt(redis, {"ZCARD", w.P + ":steps"}));
  count_left("overdue maxwait",
             CmdInt(redis, {"ZCOUNT", w.P + ":maxwait", "-inf", std::to_string(WallMs() - 1000)}));
  count_left("intake pending", PendingCount(redis, w.P + ":s:intake", "classification"));
  count_left("classified pending", PendingCount(redis, w.P + ":s:classified", "routing"));
  count_left("intake xlen", CmdInt(redis, {"XLEN", w.P + ":s:intake"}));
  count_left("classified xlen", CmdInt(redis, {"XLEN", w.P + ":s:classified"}));
  int64_t answered = 0;
  for (const auto& q : w.queues) {
    count_left(q.name + " inflight", CmdInt(redis, {"HGET", w.P + ":qs:" + q.name, "inflight"}));
    answered += CmdInt(redis, {"HGET", w.P + ":qs:" + q.name, "answered"});
  }
  for (const auto& l : leftovers) ADD_FAILURE() << "left in Redis: " << l;
  EXPECT_EQ(answered, replay.by_type["accepted"]);
}

void CheckIdle(const IdleReport& idle, const std::vector<FeedEvent>& feed) {
  for (const auto& v : idle.details) {
    std::vector<std::string> story;
    for (const auto& e : feed) {
      int64_t ms = 0;
      (void)absl::SimpleAtoi(e.id.substr(0, e.id.find('-')), &ms);
      if (ms < v.first_wall_ms - 4000 || ms > v.last_wall_ms + 1500) continue;
      if (e.agent != v.agent && e.ix != v.id) continue;
      story.push_back(absl::StrCat(ms - v.first_wall_ms, "ms ", e.type, " ix=", e.ix.substr(0, 8),
                                   " agent=", e.agent, " q=", e.queue, " ch=", e.channel));
    }
    ADD_FAILURE() << "idle: agent " << v.agent << " beside " << v.id << " seen from "
                  << v.first_wall_ms << " to " << v.last_wall_ms
                  << " ms; routing view: " << v.routing_view
                  << "\n  events (ms from first seen): " << absl::StrJoin(story, "\n    ");
  }
  EXPECT_EQ(idle.failed, 0);
  EXPECT_EQ(idle.stale, 0) << "waiting sets held items not in state 'queued'";
  EXPECT_EQ(idle.violations, 0) << absl::StrJoin(idle.examples, "\n");
  EXPECT_GT(idle.samples, 100);
  EXPECT_GT(idle.busy_samples, 0) << "no sample saw work waiting";
}

void CheckExercised(RandomizedWorld& w, const std::vector<FeedEvent>& feed,
                    size_t feed_before_settle, std::map<std::string, sim::AgentStats>& agent_stats,
                    Replay& replay, RunOutcome* out) {
  int64_t &away_missed = out->away_missed, &came_back = out->came_back,
          &stayed_away = out->stayed_away, &extra_skill_items = out->extra_skill_items;
  int64_t& lapsed_late = out->lapsed_late;
  std::map<std::string, int64_t>& canceled_from = out->canceled_from;
  std::map<std::string, int64_t>& ends = out->ends;
  const sim::AgentStats& stats = out->stats;
  const int profiled = w.profiled;
  auto event_ms = [](const FeedEvent& e) {
    int64_t ms = 0;
    (void)absl::SimpleAtoi(e.id.substr(0, e.id.find('-')), &ms);
    return ms;
  };
  std::map<std::string, int64_t> away_since;  // agent -> set away for missed offers at
  for (size_t i = 0; i < feed_before_settle; ++i) {
    const auto& e = feed[i];
    auto detail = [&](const std::string& k) {
      auto it = e.detail.find(k);
      return it == e.detail.end() ? std::string() : it->second;
    };
    if (e.type == "classified" && !detail("rule").empty()) ++extra_skill_items;
    if (e.type == "offer_timeout" && !w.miss_on_purpose.count(e.agent)) ++lapsed_late;
    if (e.type == "canceled") ++canceled_from[detail("from")];
    if (e.type != "agent_state") continue;
    if (detail("reason") == "missed_offers") {
      ++away_missed;
      away_since[e.agent] = event_ms(e);
    } else if (detail("state") == "available" && away_since.erase(e.agent) > 0) {
      ++came_back;
    }
  }
  int64_t settle_ms = feed_before_settle > 0 ? event_ms(feed[feed_before_settle - 1]) : 0;
  for (const auto& [agent, since] : away_since) {
    if (since < settle_ms - 5000 && ++stayed_away <= 5) {
      // What the agent saw and did, and its last events, for the report.
      const auto& st = agent_stats[agent];
      std::string story = absl::StrCat("offers=", st.offers, " rescinded=", st.rescinded,
                                       " accepted=", st.accepted, " failed=", st.accept_failed,
                                       " ignored=", st.ignored, " comebacks=", st.comebacks);
      std::vector<std::string> last;
      for (size_t i = 0; i < feed_before_settle; ++i) {
        if (feed[i].agent != agent) continue;
        last.push_back(absl::StrCat(event_ms(feed[i]) - since, "ms ", feed[i].type, " ",
                                    feed[i].ix.substr(0, 8)));
        if (last.size() > 14) last.erase(last.begin());
      }
      ADD_FAILURE() << agent << " set away for missed offers at " << since
                    << " ms never came back; " << story
                    << "; its last events (relative): " << absl::StrJoin(last, ", ");
    }
  }
  EXPECT_GT(replay.by_type["offer_timeout"], 0);
  EXPECT_GT(replay.by_type["rejected"], 0);
  EXPECT_GT(ends["canceled"], 0);
  EXPECT_GT(away_missed, 0) << "no agent was set away for missed offers";
  EXPECT_EQ(stayed_away, 0);
  EXPECT_GT(stats.breaks, 0);
  EXPECT_GT(stats.skill_changes, 0);
  EXPECT_GT(extra_skill_items, 0);
  int& step_queues = out->step_queues;
  for (const auto& q : w.queues) step_queues += q.steps.empty() ? 0 : 1;
  EXPECT_GT(step_queues, 0);
  EXPECT_GT(replay.by_type["step_opened"], 0) << "no bullseye step ever opened";
  EXPECT_GT(profiled, 0);
}

}  // namespace omniroute::e2e
