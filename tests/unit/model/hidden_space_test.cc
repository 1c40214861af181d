// The hidden-space prototypes of the out-of-scope detector: k-means centres per label, the
// cosine to the winner's, and their file form.
#include "services/classification/model/hidden_space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace omniroute::classification::model {
namespace {

constexpr size_t kHidden = 4;

struct Data {
  std::vector<float> activations;
  std::vector<int> labels;
};

// Label 0: two clusters, along (1, 0, 0, 0) and along (0, 1, 0, 0); label 1 along (0, 0, 1, 1).
Data Clusters() {
  std::mt19937_64 rng(3);
  std::normal_distribution<float> noise(0, 0.05f);
  const float centre[3][kHidden] = {{2, 0, 0, 0}, {0, 3, 0, 0}, {0, 0, 1, 1}};
  Data d;
  for (int i = 0; i < 300; ++i) {
    const int cluster = i % 3;
    for (size_t u = 0; u < kHidden; ++u) {
      d.activations.push_back(std::max(0.0f, centre[cluster][u] + noise(rng)));
    }
    d.labels.push_back(cluster == 2 ? 1 : 0);
  }
  return d;
}

float Cosine(const HiddenSpace& g, const std::vector<float>& h, size_t winner) {
  std::vector<float> buffer(g.prototypes);
  return PrototypeCosine(g, h.data(), kHidden, winner, buffer.data());
}

TEST(HiddenSpace, PrototypesCoverEveryClusterOfALabel) {
  const HiddenSpace g = FitHiddenSpace(Clusters().activations, Clusters().labels, 2, kHidden);
  ASSERT_EQ(g.prototypes, kPrototypesPerLabel);
  ASSERT_EQ(g.prototype.size(), 2 * kHidden * kPrototypesPerLabel);
  // Either of label 0's two directions is close to one of its prototypes (a single centroid,
  // their mean, would be at 45 degrees from both), and far from label 1's.
  EXPECT_GT(Cosine(g, {5, 0, 0, 0}, 0), 0.98f);
  EXPECT_GT(Cosine(g, {0, 0.5f, 0, 0}, 0), 0.98f);
  EXPECT_LT(Cosine(g, {5, 0, 0, 0}, 1), 0.2f);
  EXPECT_GT(Cosine(g, {0, 0, 2, 2}, 1), 0.98f);
  // Between the two clusters of label 0: about cos 45 degrees.
  EXPECT_NEAR(Cosine(g, {1, 1, 0, 0}, 0), std::sqrt(0.5f), 0.05f);
  // Negative values are inactive units (ReLU); none active: 0.
  EXPECT_GT(Cosine(g, {5, -3, -3, -1}, 0), 0.98f);
  EXPECT_EQ(Cosine(g, {-1, 0, -2, 0}, 0), 0.0f);
  EXPECT_TRUE(FitHiddenSpace({}, {}, 2, kHidden).prototype.empty());
}

TEST(HiddenSpace, FileFormRoundTripsAndRefusesABadPrototypeCount) {
  const Data d = Clusters();
  const HiddenSpace g = FitHiddenSpace(d.activations, d.labels, 2, kHidden);
  ByteWriter w;
  WriteHiddenSpace(g, &w);
  const std::string bytes = w.out();
  HiddenSpace back;
  ByteReader r(bytes);
  ASSERT_TRUE(ReadHiddenSpace(&r, 2, kHidden, &back).ok());
  EXPECT_EQ(back.prototypes, g.prototypes);
  EXPECT_EQ(back.prototype, g.prototype);
  for (uint32_t count : {0u, kMaxPrototypes + 1}) {
    std::string bad = bytes;
    for (int i = 0; i < 4; ++i) bad[i] = static_cast<char>((count >> (8 * i)) & 0xFF);
    HiddenSpace out;
    ByteReader rb(bad);
    const absl::Status s = ReadHiddenSpace(&rb, 2, kHidden, &out);
    EXPECT_NE(s.message().find("prototype count " + std::to_string(count)), absl::string_view::npos)
        << s;
  }
  ByteReader truncated(absl::string_view(bytes).substr(0, bytes.size() - 1));
  const absl::Status s = ReadHiddenSpace(&truncated, 2, kHidden, &back);
  EXPECT_NE(s.message().find("truncated"), absl::string_view::npos) << s;
}

}  // namespace
}  // namespace omniroute::classification::model
