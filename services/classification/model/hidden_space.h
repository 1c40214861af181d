#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "services/classification/model/byte_io.h"

// How close a message's hidden activations come to its winner's training messages (the
// out-of-scope signal prototype_cosine, see out_of_scope.h), per member: kPrototypesPerLabel
// unit-length spherical k-means centres of each label's normalised activations (ReLU applied),
// 8-bit. The score loop runs over the active (ReLU > 0) units only.
namespace omniroute::classification::model {

inline constexpr size_t kPrototypesPerLabel = 32;

struct HiddenSpace {
  uint32_t prototypes = 0;  // per label
  // labels x hidden x prototypes: component u of each of the label's prototypes, times 127.
  std::vector<int8_t> prototype;
};

// `activations`: n x hidden (ReLU applied), `labels`: n indices below num_labels. Per label:
// k-means seeded with evenly spaced messages, 10 rounds, deterministic (a label of fewer
// messages than prototypes repeats some); labels without messages get zero prototypes. Empty
// when n == 0.
HiddenSpace FitHiddenSpace(const std::vector<float>& activations, const std::vector<int>& labels,
                           size_t num_labels, size_t hidden);

// For the activations `h` (hidden values, before ReLU) of one member: the largest cosine to
// label `winner`'s prototypes (0 when h has no active unit). `buffer`: `prototypes` floats.
float PrototypeCosine(const HiddenSpace& g, const float* h, size_t hidden, size_t winner,
                      float* buffer);

// The model file's form (see model_file.cc): u32 prototypes P (1..kMaxPrototypes), labels x
// hidden x P i8 prototypes.
inline constexpr uint32_t kMaxPrototypes = 256;
void WriteHiddenSpace(const HiddenSpace& g, ByteWriter* w);
absl::Status ReadHiddenSpace(ByteReader* body, size_t num_labels, size_t hidden, HiddenSpace* g);

}  // namespace omniroute::classification::model
