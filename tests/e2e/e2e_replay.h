// Replays the tenant event feed to check the routing invariants (one owner per
// interaction, capacity per agent and channel, the exclusive-channel rule).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_feed.h"

namespace omniroute::e2e {

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
//    accepted/rejected/offer_timeout/offer_rescinded only for the agent holding the open offer;
//    completed only by the agent it is assigned to; nothing happens to it after a terminal
//    event;
//  - capacity: per agent and channel, open offers + assignments never exceed the capacity
//    (offered +1; rejected, offer_timeout, offer_rescinded, completed and canceled-while-offered
//    -1) and never go below zero. Agents missing from `capacity` are not checked for capacity;
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
    } else if (e.type == "rejected" || e.type == "offer_timeout" || e.type == "offer_rescinded") {
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

}  // namespace omniroute::e2e
