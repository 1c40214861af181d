// Queue config: the bytes as a Queue on the wire (PutQueue, the copy in Redis) and as the text
// `omniroute-ctl queues put` reads (JSON or YAML). A parsed queue goes through ValidateQueue
// (bullseye steps and business hours included), QueueWithDefaults, EffectiveSteps and IsOpen.
// A queue the validator accepts must stay valid with its defaults and have open hours.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "services/common/business_hours.h"
#include "services/common/tenant_config.h"
#include "tests/fuzz/fuzz_text.h"

namespace omniroute {
namespace {

void Check(const v1::Queue& queue) {
  if (!ValidateQueue(queue).ok()) return;
  const v1::Queue with_defaults = QueueWithDefaults(queue);
  if (!ValidateQueue(with_defaults).ok()) std::abort();
  auto steps = EffectiveSteps(with_defaults);
  if (!steps.ok() || static_cast<int>(steps->size()) != queue.steps_size()) std::abort();
  for (size_t i = 1; i < steps->size(); ++i) {
    if ((*steps)[i].after_ms <= (*steps)[i - 1].after_ms) std::abort();
  }
  // A Monday noon UTC, a Sunday midnight, and the epoch.
  for (int64_t now_ms : {int64_t{1767614400000}, int64_t{1767484800000}, int64_t{0}}) {
    if (!IsOpen(queue.business_hours(), now_ms).ok()) std::abort();
  }
}

}  // namespace
}  // namespace omniroute

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  omniroute::v1::Queue wire;
  if (wire.ParseFromString(bytes)) omniroute::Check(wire);
  omniroute::v1::Queue text;
  if (omniroute::fuzz::ParseConfigText(bytes, &text)) omniroute::Check(text);
  return 0;
}
