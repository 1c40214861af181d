#pragma once

#include "services/common/redis/text_reply.h"

// Small helpers shared by the files of RoutingEngine (routing_engine*.cc).
namespace omniroute::routing::internal {

using redis::ToInt;
using redis::Unavailable;

}  // namespace omniroute::routing::internal
