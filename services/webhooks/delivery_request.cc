#include "services/webhooks/delivery_request.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "omniroute/v1/admin.pb.h"
#include "services/common/event_record.h"
#include "services/common/grpc/published.h"
#include "services/webhooks/webhook_validation.h"

namespace omniroute::webhooks {
namespace {

// Reads "<length>:" and that many bytes from the front of `in`.
bool ReadNetstring(absl::string_view* in, std::string* out) {
  auto colon = in->find(':');
  size_t n = 0;
  if (colon == absl::string_view::npos || colon == 0 || colon > 10 ||
      !absl::SimpleAtoi(in->substr(0, colon), &n) || in->size() - colon - 1 < n) {
    return false;
  }
  *out = std::string(in->substr(colon + 1, n));
  in->remove_prefix(colon + 1 + n);
  return true;
}

}  // namespace

absl::StatusOr<redis::StreamRecord> DecodeEntry(absl::string_view entry) {
  auto nl = entry.find('\n');
  if (nl == absl::string_view::npos) return absl::DataLossError("webhook entry without an id");
  redis::StreamRecord r;
  r.id_text = std::string(entry.substr(0, nl));
  auto id = redis::StreamId::Parse(r.id_text);
  if (!id) return absl::DataLossError("webhook entry with a bad id");
  r.id = *id;
  absl::string_view rest = entry.substr(nl + 1);
  while (!rest.empty()) {
    std::string k, v;
    if (!ReadNetstring(&rest, &k) || !ReadNetstring(&rest, &v)) {
      return absl::DataLossError("webhook entry does not decode");
    }
    r.fields.emplace_back(std::move(k), std::move(v));
  }
  return r;
}

std::string SignatureHeader(int64_t unix_seconds, absl::string_view body, absl::string_view secret,
                            absl::string_view previous) {
  std::string signed_text = absl::StrCat(unix_seconds, ".", body);
  std::string out = absl::StrCat("t=", unix_seconds, ",v1=", HmacSha256Hex(secret, signed_text));
  if (!previous.empty()) absl::StrAppend(&out, ",v1=", HmacSha256Hex(previous, signed_text));
  return out;
}

absl::StatusOr<DeliveryRequest> BuildRequest(const Lease& lease, int64_t unix_seconds) {
  auto record = DecodeEntry(lease.entry);
  if (!record.ok()) return record.status();
  DeliveryRequest req;
  req.url = lease.url;
  req.event = EventFromRecord(*record);
  req.delivery_id = DeliveryId(lease.webhook_id(), req.event.event_id());
  v1::WebhookDelivery body;
  body.set_delivery_id(req.delivery_id);
  body.set_tenant_id(lease.tenant);
  body.set_webhook_id(lease.webhook_id());
  *body.mutable_event() = req.event;
  auto json = published::ToJson(body);
  if (!json.ok()) return json.status();
  req.body = std::move(*json);
  req.headers = {
      {"Omniroute-Delivery-Id", req.delivery_id},
      {"Omniroute-Event-Type", req.event.type()},
      {"Omniroute-Attempt", std::to_string(lease.attempts + 1)},
      {"Omniroute-Signature",
       SignatureHeader(unix_seconds, req.body, lease.secret, lease.previous_secret)},
  };
  return req;
}

}  // namespace omniroute::webhooks
