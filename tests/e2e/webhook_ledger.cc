#include "tests/e2e/webhook_ledger.h"

#include <chrono>
#include <cstdlib>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "omniroute/v1/admin.pb.h"
#include "services/common/grpc/published.h"
#include "services/webhooks/delivery_request.h"

namespace omniroute::e2e {
namespace {

// Whether `header` ("t=...,v1=...[,v1=...]") signs `body` with `secret`, within 5 minutes.
bool SignatureVerifies(const std::string& header, const std::string& body,
                       const std::string& secret) {
  int64_t t = 0;
  std::vector<std::string> v1;
  for (absl::string_view part : absl::StrSplit(header, ',')) {
    if (absl::ConsumePrefix(&part, "t=")) (void)absl::SimpleAtoi(part, &t);
    if (absl::ConsumePrefix(&part, "v1=")) v1.emplace_back(part);
  }
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (t == 0 || std::llabs(now - t) > 300) return false;
  std::string want = webhooks::HmacSha256Hex(secret, absl::StrCat(t, ".", body));
  for (const auto& sig : v1) {
    if (sig == want) return true;
  }
  return false;
}

}  // namespace

std::string LaneOf(const FeedEvent& e) {
  if (!e.ix.empty()) return e.ix;
  if (!e.agent.empty()) return "agent:" + e.agent;
  if (!e.queue.empty()) return "queue:" + e.queue;
  return "tenant";
}

std::string WebhookLedger::Summary() const {
  return absl::StrCat(requests, " requests on the wire, ", delivered, " deliveries, ", duplicates,
                      " duplicates, ", failed, " failed answers, ", missing.size(), " missing, ",
                      problems.size(), " problems");
}

WebhookLedger CheckWebhookDeliveries(
    const std::vector<std::pair<testing::WebhookReceiver::Request, int>>& requests,
    const std::string& tenant, const std::string& webhook_id, const std::string& secret,
    const std::vector<FeedEvent>& expected) {
  WebhookLedger out;
  // delivery id -> (lane, position in the lane)
  std::map<std::string, std::pair<std::string, size_t>> where;
  std::map<std::string, size_t> lane_size;
  for (const auto& e : expected) {
    std::string lane = LaneOf(e);
    where[absl::StrCat(webhook_id, ".", e.id)] = {lane, lane_size[lane]++};
  }
  std::map<std::string, size_t> done;  // lane -> events delivered, in order
  std::set<std::string> delivered;
  for (const auto& [req, status] : requests) {
    auto header = req.headers.find("omniroute-delivery-id");
    if (header == req.headers.end() || header->second.rfind(webhook_id + ".", 0) != 0) continue;
    const std::string& id = header->second;
    ++out.requests;
    auto sig = req.headers.find("omniroute-signature");
    if (sig == req.headers.end() || !SignatureVerifies(sig->second, req.body, secret)) {
      out.problems.push_back("bad signature on " + id);
    }
    v1::WebhookDelivery body;
    if (!published::FromJson(req.body, &body).ok() || body.delivery_id() != id ||
        body.tenant_id() != tenant || body.webhook_id() != webhook_id ||
        req.headers.count("omniroute-event-type") == 0 ||
        req.headers.at("omniroute-event-type") != body.event().type()) {
      out.problems.push_back("headers and body disagree on " + id + ": " + req.body);
    }
    auto it = where.find(id);
    if (it == where.end()) {
      out.problems.push_back("a delivery the webhook should not get: " + id);
      continue;
    }
    const auto& [lane, position] = it->second;
    if (position > done[lane]) {
      out.problems.push_back(absl::StrCat(id, " (event ", position + 1, " of ", lane,
                                          ") was sent before event ", done[lane] + 1,
                                          " was delivered"));
    }
    if (status < 200 || status >= 300) {
      ++out.failed;
    } else if (!delivered.insert(id).second) {
      ++out.duplicates;
    } else if (position == done[lane]) {
      ++done[lane];
    }
  }
  out.delivered = delivered.size();
  for (const auto& [id, unused] : where) {
    if (!delivered.count(id)) out.missing.push_back(id);
  }
  return out;
}

}  // namespace omniroute::e2e
