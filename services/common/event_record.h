#pragma once

#include "omniroute/v1/routing.pb.h"
#include "services/common/redis/stream_watch.h"

namespace omniroute {

// A tenant event-feed entry as the Event message (unknown fields go to `detail`; priorities
// stored as numbers are named as in the API, "PRIORITY_P3"). Shared by Routing.WatchEvents and
// the webhook workers, so both show an event the same way.
v1::Event EventFromRecord(const redis::StreamRecord& record);

}  // namespace omniroute
