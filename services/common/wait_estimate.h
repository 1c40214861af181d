#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "omniroute/v1/common.pb.h"

namespace omniroute {

// The queue model behind an estimated wait (README, "Estimated wait").
struct WaitModel {
  int64_t servers = 0;        // N: staffed slots (available agents eligible, busy or not)
  double handle_seconds = 0;  // mean time a slot is held per interaction (AHT + wrap-up)
  double abandon_rate = 0;    // theta: abandonment rate of each waiting interaction, per second
};

struct WaitEstimate {
  double seconds = 0;       // mean
  double low_seconds = 0;   // kWaitBandLow quantile
  double high_seconds = 0;  // kWaitBandHigh quantile
};

// The band's quantiles: a 90 % band.
inline constexpr double kWaitBandLow = 0.05;
inline constexpr double kWaitBandHigh = 0.95;
inline constexpr char kWaitMethod[] = "erlang-a-position";

// The wait of work at 1-based `position` in line while `free_slots` eligible slots are free.
// Position-based Erlang A: it starts once position - free_slots steps happened; with j
// interactions still ahead a step comes at rate N/handle + j*theta (a slot frees up and takes
// the head, or one of those ahead abandons), so the wait is a sum of independent exponentials
// (mean sum 1/rate, variance sum 1/rate^2) and the band is a Gamma with those moments. 0 when
// a free slot is left for it; nullopt when nobody is staffed or no handle time is known.
std::optional<WaitEstimate> EstimateWait(int64_t position, int64_t free_slots, const WaitModel& m);

// The p-quantile of a Gamma(shape, scale) distribution (0 < p < 1, shape and scale > 0).
double GammaQuantile(double shape, double scale, double p);

// The inputs the routing service keeps for a queue in P:ewt:<q> (a hash).
struct WaitInputs {
  std::map<int, int64_t> servers;  // staffed slots by channel number (field servers:<ch>)
  double handle_ms = 0;            // AHT + wrap-up (field handle_ms)
  double abandon_rate = 0;         // per second (field abandon_rate)
  int64_t updated_ms = 0;          // when written, ms since the epoch (field updated_ms)
};
// Inputs older than this give no estimate.
inline constexpr int64_t kWaitInputsMaxAgeMs = 10000;

// The hash's field/value pairs (HSET arguments) and back (HGETALL; garbled values read as 0).
std::vector<std::string> WaitInputsFields(const WaitInputs& in);
WaitInputs ParseWaitInputs(const std::vector<std::string>& kv);

// The estimate for work on `channel` at `position` with `free_slots` free, from inputs read at
// `now_ms`, as the API returns it; nullopt when the inputs are missing, stale or insufficient.
std::optional<v1::EstimatedWait> EstimateFromInputs(const WaitInputs& in, int channel,
                                                    int64_t position, int64_t free_slots,
                                                    int64_t now_ms);

}  // namespace omniroute
