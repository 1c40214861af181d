// What-if end to end: a proposal applied to a workload, and the recording, the replay of the
// workload's own config and of the proposal side by side.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"
#include "services/whatif/replay.h"

namespace omniroute::whatif {

// The workload's config, queues and roster with the proposal put over them; the error names
// the field of the proposal that is wrong.
absl::StatusOr<ReplayInput> ProposedInput(const v1::Workload& workload,
                                          const v1::WhatIfProposal& proposal);

// Validates the request, starts a scratch redis-server (`redis_server`: its path or name) and
// replays the workload under its own config and, when the request has one, the proposal.
absl::StatusOr<v1::RunWhatIfResponse> RunWhatIf(const v1::RunWhatIfRequest& request,
                                                const std::string& redis_server,
                                                ReplayOptions options = {});

// The response as a table: per queue and priority, recorded / current / proposed and the
// difference the proposal makes.
std::string FormatWhatIf(const v1::RunWhatIfResponse& response);

}  // namespace omniroute::whatif
