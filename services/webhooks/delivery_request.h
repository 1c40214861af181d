#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "omniroute/v1/routing.pb.h"
#include "services/common/hmac.h"
#include "services/common/redis/stream_watch.h"
#include "services/webhooks/delivery_queue.h"

namespace omniroute::webhooks {

// A lane entry (fanout.lua: "<event id>\n" then "<length>:<bytes>" per field and value) as the
// feed record it was made from.
absl::StatusOr<redis::StreamRecord> DecodeEntry(absl::string_view entry);

using ::omniroute::HmacSha256Hex;

// The Omniroute-Signature header's value: "t=<unix_seconds>,v1=<hex HMAC-SHA256(secret,
// "<t>.<body>")>", and a second v1= with `previous` when it is not empty.
std::string SignatureHeader(int64_t unix_seconds, absl::string_view body, absl::string_view secret,
                            absl::string_view previous = "");

// One HTTP request of a delivery attempt.
struct DeliveryRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string body;                                          // JSON (WebhookDelivery)
  std::string delivery_id;
  v1::Event event;
};

// The request of attempt lease.attempts + 1 of the lease's delivery, signed at `unix_seconds`.
absl::StatusOr<DeliveryRequest> BuildRequest(const Lease& lease, int64_t unix_seconds);

}  // namespace omniroute::webhooks
