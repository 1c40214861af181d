#pragma once

#include "absl/status/status.h"
#include "services/common/config/flags.h"
#include "services/webhooks/delivery_queue.h"
#include "services/webhooks/delivery_worker.h"
#include "services/webhooks/http_sender.h"

namespace omniroute::webhooks {

// The webhook worker's own settings (besides config::ServiceFlags), one flag each.
struct WebhooksConfig {
  WorkerOptions worker;
  QueueOptions queue;
  SenderOptions sender;
};

void AddFlags(config::Flags& flags, WebhooksConfig* config);
// INVALID_ARGUMENT naming the flag that is out of range.
absl::Status Validate(const WebhooksConfig& config);

}  // namespace omniroute::webhooks
