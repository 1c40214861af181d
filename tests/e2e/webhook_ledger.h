// What a webhook receiver got, checked against the events the webhook should get: every request
// signed with the webhook's secret and naming the same delivery in its headers and body, every
// expected event delivered (a 2xx) at least once and nothing else, and the events of each
// interaction arriving in feed order (no event is sent before the one ahead of it in its
// interaction was delivered).
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/e2e_feed.h"
#include "tests/support/webhook_receiver.h"

namespace omniroute::e2e {

struct WebhookLedger {
  size_t requests = 0;                // on the wire, for this webhook
  size_t delivered = 0;               // distinct delivery ids answered 2xx
  size_t duplicates = 0;              // 2xx answers beyond the first for a delivery id
  size_t failed = 0;                  // non-2xx answers
  std::vector<std::string> missing;   // expected delivery ids never answered 2xx
  std::vector<std::string> problems;  // bad signature, unknown delivery, out of order ...
  std::string Summary() const;
};

// `requests` as the receiver recorded them (only those whose Omniroute-Delivery-Id starts with
// `webhook_id` count); `expected` the webhook's events in feed order.
WebhookLedger CheckWebhookDeliveries(
    const std::vector<std::pair<testing::WebhookReceiver::Request, int>>& requests,
    const std::string& tenant, const std::string& webhook_id, const std::string& secret,
    const std::vector<FeedEvent>& expected);

// The lane an event is delivered in: its interaction, else its agent, else its queue.
std::string LaneOf(const FeedEvent& e);

}  // namespace omniroute::e2e
