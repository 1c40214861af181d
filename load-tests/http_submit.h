#pragma once

// SubmitInteractions over the HTTP/JSON front (POST /omniroute.v1.Intake/SubmitInteractions),
// as an integrator's HTTP client sends it: libcurl, one kept-alive connection per thread, the
// request and answer in proto3 JSON (the published descriptors).

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>

#include "omniroute/v1/intake.pb.h"

namespace omniroute::bench {

// `address` is host:port of intake's HTTP port. The answer's HTTP error is mapped back to the
// gRPC code its JSON names, so callers retry as they would over gRPC.
grpc::Status HttpSubmitInteractions(const std::string& address, const std::string& key,
                                    const v1::SubmitInteractionsRequest& req,
                                    v1::SubmitInteractionsResponse* resp,
                                    std::chrono::milliseconds timeout);

}  // namespace omniroute::bench
