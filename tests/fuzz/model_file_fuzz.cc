// The model file (IntentModel::FromBytes): first the bytes as they are, then, so that the
// fuzzer gets past the checksum to the counts and values behind it, the same bytes with their
// declared size and CRC-32 made right (a file damaged before it was checksummed). A model that
// loads must predict: probabilities in [0, 1] summing to about 1, an out-of-scope score in
// [0, 1], and ToBytes must give back bytes that load again.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "services/classification/model/intent_model.h"

namespace {

using omniroute::classification::model::IntentModel;

constexpr size_t kSizeOffset = 12;  // after the magic and the version
constexpr size_t kHeaderSize = 20;
constexpr size_t kTrailerSize = 4;

void Check(const IntentModel& model) {
  for (const char* text : {"I lost my card", "", "   ", "where is my money??? \xC3\xA9t\xC3\xA9"}) {
    auto p = model.Predict(text);
    if (p.labels.empty()) std::abort();
    float sum = 0;
    for (const auto& l : p.labels) {
      if (!(l.probability >= 0 && l.probability <= 1)) std::abort();
      sum += l.probability;
    }
    if (sum > 1.001f) std::abort();
    if (!(p.out_of_scope_score >= 0 && p.out_of_scope_score <= 1)) std::abort();
  }
  if (!IntentModel::FromBytes(model.ToBytes()).ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (auto model = IntentModel::FromBytes(bytes); model.ok()) Check(*model);
  if (bytes.size() < kHeaderSize + kTrailerSize) return 0;
  const uint64_t total = bytes.size();
  for (size_t i = 0; i < 8; ++i) bytes[kSizeOffset + i] = static_cast<char>(total >> (8 * i));
  const uint32_t crc = omniroute::classification::model::Crc32(
      absl::string_view(bytes).substr(0, bytes.size() - kTrailerSize));
  for (size_t i = 0; i < 4; ++i) {
    bytes[bytes.size() - kTrailerSize + i] = static_cast<char>(crc >> (8 * i));
  }
  if (auto model = IntentModel::FromBytes(bytes); model.ok()) Check(*model);
  return 0;
}
