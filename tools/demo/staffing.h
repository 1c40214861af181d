#pragma once

// The demo's staffing, worked out from its traffic: the load each (queue, channel) is offered
// and the agent slots that serve it at a target occupancy.

#include <map>
#include <string>
#include <vector>

#include "omniroute/v1/common.pb.h"

namespace omniroute::demo {

// How long an agent works on one interaction: uniform in [min_ms, max_ms].
struct HandleTime {
  int min_ms = 0;
  int max_ms = 0;
  double MeanSeconds() const { return (min_ms + max_ms) / 2000.0; }
};

// The people's handle time per channel (whoever takes the work: billing chats take as long as
// other chats), and the bot's on any channel.
const std::map<v1::Channel, HandleTime>& PeopleHandleTimes();
inline constexpr HandleTime kBotHandleTime{500, 2000};
// Share of its work the bot escalates to a person (the channel's human queue).
inline constexpr double kBotEscalation = 0.35;
// Share of the time a person's slot holds work: the busy end of a contact center's usual range,
// where waiting stays bounded but a queue forms now and then. Slots come whole, so a pool gets
// the count nearest this, but never one above kMaxOccupancy: past that a pool of a few slots
// has long waits.
inline constexpr double kTargetOccupancy = 0.85;
inline constexpr double kMaxOccupancy = 0.90;

// "voice" for CHANNEL_VOICE...
std::string ChannelWord(v1::Channel channel);

// The work one (queue, channel) is offered.
struct QueueLoad {
  std::string queue;
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  double arrivals_per_second = 0;
  double handle_seconds = 0;  // mean
  double erlangs = 0;         // arrivals_per_second x handle_seconds: slots busy on average
  // People's slots for it: round(erlangs / kTargetOccupancy), or more when that would be
  // busier than kMaxOccupancy (0 for the bot's queue).
  int slots = 0;
};

// The load of every (queue, channel) the demo traffic reaches, in DemoQueues() order: `rate`
// interactions per second over `channels` (one entry per unit of weight, as --mix gives them),
// each of sim::SampleSubjects() equally likely, classified by DemoTenantConfig()'s rules. (The
// intent model only sets category and priority in the demo, never a queue, so the rules alone
// decide where work goes.) Password resets on a channel the bot's queue takes go to the bot,
// which escalates kBotEscalation of them to the channel's human queue; the rest of the bot's
// work never reaches a person.
std::vector<QueueLoad> OfferedLoad(double rate, const std::vector<v1::Channel>& channels);

}  // namespace omniroute::demo
