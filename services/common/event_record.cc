#include "services/common/event_record.h"

#include <cstdint>
#include <string>

#include "services/common/redis/text_reply.h"

namespace omniroute {

using redis::ToInt;

v1::Event EventFromRecord(const redis::StreamRecord& record) {
  v1::Event e;
  e.set_event_id(record.id_text);
  for (const auto& [k, v] : record.fields) {
    // Priorities are stored as numbers; the API names them (PRIORITY_P1..P4), in the details
    // too ('priority', and 'from' of a reprioritized event; 'type' comes first in a record).
    bool priority = k == "priority" || (k == "from" && e.type() == "reprioritized");
    int64_t p = priority ? ToInt(v) : 0;
    if (priority && v1::Priority_IsValid(static_cast<int>(p)) && p > 0) {
      (*e.mutable_detail())[k] = v1::Priority_Name(static_cast<v1::Priority>(p));
    } else if (k == "type") {
      e.set_type(v);
    } else if (k == "ix") {
      e.set_interaction_id(v);
    } else if (k == "agent") {
      e.set_agent_id(v);
    } else if (k == "queue") {
      e.set_queue(v);
    } else if (k == "ch") {
      e.set_channel(static_cast<v1::Channel>(ToInt(v)));
    } else if (k == "at") {
      e.set_at_ms(ToInt(v));
    } else {
      (*e.mutable_detail())[k] = v;
    }
  }
  return e;
}

}  // namespace omniroute
