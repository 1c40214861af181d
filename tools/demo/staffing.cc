#include "tools/demo/staffing.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/classification/rules.h"
#include "tools/demo/tenant_setup.h"
#include "tools/sim/traffic.h"

namespace omniroute::demo {
namespace {

bool Takes(const QueueSpec& q, v1::Channel channel) {
  return std::find(q.channels.begin(), q.channels.end(), channel) != q.channels.end();
}

}  // namespace

std::string ChannelWord(v1::Channel channel) {
  std::string name = absl::AsciiStrToLower(v1::Channel_Name(channel));
  return absl::StartsWith(name, "channel_") ? name.substr(8) : name;
}

const std::map<v1::Channel, HandleTime>& PeopleHandleTimes() {
  // Seconds, not minutes, so that a short demo shows thousands of interactions.
  static const std::map<v1::Channel, HandleTime> t = {
      {v1::CHANNEL_VOICE, {1000, 3200}},  // mean 2.1 s
      {v1::CHANNEL_CHAT, {3000, 8000}},   // mean 5.5 s per chat (3 at once per agent)
      {v1::CHANNEL_EMAIL, {2000, 6000}},  // mean 4.0 s
  };
  return t;
}

std::vector<QueueLoad> OfferedLoad(double rate, const std::vector<v1::Channel>& channels) {
  // Arrivals per second by (queue, channel).
  std::map<std::pair<std::string, v1::Channel>, double> arrivals;
  auto config = classification::Compile(DemoTenantConfig());
  const auto& subjects = sim::SampleSubjects();
  const std::string& bot_queue = config->config.self_service_queue();
  const QueueSpec* bot = nullptr;
  for (const auto& q : DemoQueues()) bot = q.name == bot_queue ? &q : bot;
  for (v1::Channel ch : channels) {
    const double each = rate / static_cast<double>(channels.size() * subjects.size());
    for (const auto& subject : subjects) {
      classification::ClassifyInput in;
      in.channel = ch;
      in.subject = subject;
      in.body = "Simulated message";  // what sim::RunTraffic sends, less its number
      auto r = classification::Classify(*config, in, nullptr);
      if (r.escalation_queue.empty()) {
        arrivals[{r.queue, ch}] += each;
      } else if (bot == nullptr || !Takes(*bot, ch)) {
        arrivals[{r.escalation_queue, ch}] += each;  // a call skips a chat and email bot
      } else {
        arrivals[{r.queue, ch}] += each;
        arrivals[{r.escalation_queue, ch}] += each * kBotEscalation;
      }
    }
  }
  std::vector<QueueLoad> out;
  for (const auto& q : DemoQueues()) {
    for (v1::Channel ch : q.channels) {
      auto it = arrivals.find({q.name, ch});
      if (it == arrivals.end()) continue;
      QueueLoad l;
      l.queue = q.name;
      l.channel = ch;
      l.arrivals_per_second = it->second;
      // (--mix names only channels PeopleHandleTimes() has.)
      l.handle_seconds = q.name == bot_queue ? kBotHandleTime.MeanSeconds()
                                             : PeopleHandleTimes().at(ch).MeanSeconds();
      l.erlangs = l.arrivals_per_second * l.handle_seconds;
      if (q.name != bot_queue) {
        // (The margin keeps a load of exactly n x kMaxOccupancy at n slots.)
        l.slots = std::max({1, static_cast<int>(std::lround(l.erlangs / kTargetOccupancy)),
                            static_cast<int>(std::ceil(l.erlangs / kMaxOccupancy - 1e-9))});
      }
      out.push_back(l);
    }
  }
  return out;
}

}  // namespace omniroute::demo
