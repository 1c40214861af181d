#pragma once

#include "tests/e2e/canceler.h"
#include "tests/e2e/e2e_replay.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/idle_sampler.h"
#include "tests/e2e/randomized_checks.h"
#include "tests/e2e/randomized_world.h"

namespace omniroute::e2e {

// Prints the randomized run's summary line (set-up, what happened, what each check found, the
// idle check's figures, timings since `started`) and its longest idle episode.
void PrintSummary(const RandomizedWorld& w, RunOutcome& out, Replay& replay, const IdleReport& idle,
                  const Canceler& canceler, Clock::time_point started);

}  // namespace omniroute::e2e
