#include "services/classification/model/intent_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/classification/model/csv.h"

namespace omniroute::classification::model {
namespace {

// Serialised layout, every integer little-endian, floats as IEEE-754 binary32 bit patterns:
//
//   magic "OMRINTNT" (8 bytes) | u32 version | u64 total size in bytes (this header included)
//   featurizer: u32 hash_bits, u32 word_ngram_max, u32 char_ngram_min, u32 char_ngram_max,
//               u32 flags (bit 0: sublinear tf, bit 1: idf, bit 2: char n-grams across words),
//               u32 pair_window, f32 word_weight, f32 char_weight
//   u32 metadata length, metadata bytes
//   u32 label count L, then per label: u32 length, bytes
//   u32 row count R, R x u32 bucket ids (strictly increasing)
//   u32 member count M, then per member: u32 hidden size H (0: linear), L x f32 bias,
//     R x W x f32 weights (row-major; W = L when linear, else H), H x f32 hidden bias,
//     H x L x f32 output weights
//   with the idf flag: R x f32 IDF per row, f32 IDF of an unseen bucket
//   u32 CRC-32 of every byte before it
//
// The declared total size comes first so that a truncated file is reported as truncated rather
// than as a checksum mismatch; the checksum then catches any other damage before a single count
// is trusted.
constexpr char kMagic[8] = {'O', 'M', 'R', 'I', 'N', 'T', 'N', 'T'};
constexpr size_t kHeaderSize = 8 + 4 + 8;
constexpr size_t kTrailerSize = 4;
constexpr uint32_t kFlagSublinearTf = 1;
constexpr uint32_t kFlagIdf = 2;
constexpr uint32_t kFlagCharAcrossWords = 4;
constexpr uint32_t kKnownFlags = kFlagSublinearTf | kFlagIdf | kFlagCharAcrossWords;
// Generous bounds that keep a garbled count from asking for absurd allocations even after the
// checksum matched (e.g. a file written by a buggy tool).
constexpr uint32_t kMaxLabels = 100000;
constexpr uint32_t kMaxLabelLength = 1000;
constexpr uint32_t kMaxMetadataLength = 1 << 20;
constexpr int kMaxHidden = 4096;
constexpr size_t kMaxMembers = 16;

class Writer {
 public:
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void F32(float f) {
    uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    U32(bits);
  }
  void Bytes(absl::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void Raw(absl::string_view s) { out_.append(s.data(), s.size()); }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Bounds-checked reading: every method fails (rather than reading past the end) with a message
// naming the field.
class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}

  absl::Status U32(const char* what, uint32_t* v) {
    if (in_.size() - pos_ < 4) return Truncated(what);
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) r |= static_cast<uint32_t>(Byte(pos_ + i)) << (8 * i);
    pos_ += 4;
    *v = r;
    return absl::OkStatus();
  }
  absl::Status U64(const char* what, uint64_t* v) {
    if (in_.size() - pos_ < 8) return Truncated(what);
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r |= static_cast<uint64_t>(Byte(pos_ + i)) << (8 * i);
    pos_ += 8;
    *v = r;
    return absl::OkStatus();
  }
  absl::Status F32(const char* what, float* f) {
    uint32_t bits = 0;
    if (absl::Status s = U32(what, &bits); !s.ok()) return s;
    std::memcpy(f, &bits, sizeof bits);
    if (!std::isfinite(*f)) {
      return absl::DataLossError(absl::StrCat("model file: ", what, " is not a finite number"));
    }
    return absl::OkStatus();
  }
  absl::Status Bytes(const char* what, uint32_t max_length, std::string* s) {
    uint32_t n = 0;
    if (absl::Status st = U32(what, &n); !st.ok()) return st;
    if (n > max_length) {
      return absl::DataLossError(
          absl::StrCat("model file: ", what, " length ", n, " exceeds the limit ", max_length));
    }
    if (in_.size() - pos_ < n) return Truncated(what);
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return absl::OkStatus();
  }
  // True when `count` items of `item_size` bytes fit in what is left.
  bool Fits(uint64_t count, uint64_t item_size) const {
    return count <= (in_.size() - pos_) / item_size;
  }
  size_t remaining() const { return in_.size() - pos_; }
  // Only for bytes already checked (the header).
  void Skip(size_t n) { pos_ += std::min(n, remaining()); }

  absl::Status Truncated(const char* what) const {
    return absl::DataLossError(
        absl::StrCat("model file truncated: it ends inside the ", what, " at byte ", pos_));
  }

 private:
  uint8_t Byte(size_t i) const { return static_cast<uint8_t>(in_[i]); }
  absl::string_view in_;
  size_t pos_ = 0;
};

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

// y += a * x over n floats: the hot loop of inference. GCC/Clang function multiversioning
// compiles it for AVX2 and for the baseline ISA and picks the best for the CPU at load time, so
// the binary stays portable while a modern CPU adds 8 floats at a time. Without FMA, both
// versions round exactly alike, so predictions do not depend on the CPU.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__)
__attribute__((target_clones("avx2", "default")))
#endif
void Axpy(float a, const float* __restrict x, float* __restrict y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// Dot product of n floats. Eight independent partial sums (a fixed order, so the result does not
// depend on the CPU) let the compiler use vector registers; one running sum would be a chain of
// dependent additions, several times slower.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__)
__attribute__((target_clones("avx2", "default")))
#endif
float Dot(const float* __restrict x, const float* __restrict y, size_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t j = 0; j < 8; ++j) acc[j] += x[i + j] * y[i + j];
  }
  for (; i < n; ++i) acc[i % 8] += x[i] * y[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

void SoftmaxInPlace(std::vector<float>* scores) {
  float max = -std::numeric_limits<float>::infinity();
  for (float s : *scores) max = std::max(max, s);
  double sum = 0;
  for (float& s : *scores) {
    s = std::exp(s - max);
    sum += s;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (float& s : *scores) s *= inv;
}

}  // namespace

uint32_t Crc32(absl::string_view bytes) {
  static const std::array<uint32_t, 256> kTable = MakeCrcTable();
  uint32_t c = 0xFFFFFFFFu;
  for (char ch : bytes) c = kTable[(c ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

absl::StatusOr<IntentModel> IntentModel::Create(ModelParts p) {
  const FeaturizerConfig& config = p.featurizer;
  if (absl::Status s = ValidateFeaturizerConfig(config); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("featurizer: ", s.message()));
  }
  if (p.labels.empty()) return absl::InvalidArgumentError("a model needs at least one label");
  std::set<absl::string_view> seen;
  for (const std::string& l : p.labels) {
    if (l.empty()) return absl::InvalidArgumentError("empty label");
    if (!seen.insert(l).second) return absl::InvalidArgumentError("duplicate label: " + l);
  }
  const uint64_t num_buckets = uint64_t{1} << config.hash_bits;
  for (size_t i = 0; i < p.buckets.size(); ++i) {
    if (p.buckets[i] >= num_buckets) {
      return absl::InvalidArgumentError(
          absl::StrCat("bucket ", p.buckets[i], " out of range (2^", config.hash_bits, ")"));
    }
    if (i > 0 && p.buckets[i] <= p.buckets[i - 1]) {
      return absl::InvalidArgumentError("bucket ids are not strictly increasing");
    }
  }
  if (p.members.empty()) return absl::InvalidArgumentError("a model needs at least one member");
  if (p.members.size() > kMaxMembers) {
    return absl::InvalidArgumentError(
        absl::StrCat(p.members.size(), " members (at most ", kMaxMembers, ")"));
  }
  const size_t k = p.labels.size();
  size_t total_hidden = 0;
  for (size_t i = 0; i < p.members.size(); ++i) {
    const ModelMember& m = p.members[i];
    const std::string which = absl::StrCat("member ", i, ": ");
    if (m.hidden < 0 || m.hidden > kMaxHidden) {
      return absl::InvalidArgumentError(
          absl::StrCat(which, "hidden size ", m.hidden, " not in 0..", kMaxHidden));
    }
    const size_t hsize = static_cast<size_t>(m.hidden);
    total_hidden += hsize;
    const size_t width = hsize > 0 ? hsize : k;
    if (m.weights.size() != p.buckets.size() * width) {
      return absl::InvalidArgumentError(absl::StrCat(which, "weights: ", m.weights.size(),
                                                     " values for ", p.buckets.size(), " rows x ",
                                                     width));
    }
    if (m.bias.size() != k) {
      return absl::InvalidArgumentError(
          absl::StrCat(which, "bias: ", m.bias.size(), " values for ", k, " labels"));
    }
    if (m.hidden_bias.size() != hsize || m.output_weights.size() != hsize * k) {
      return absl::InvalidArgumentError(absl::StrCat(
          which, "hidden layer: ", m.hidden_bias.size(), " biases and ", m.output_weights.size(),
          " output weights for ", hsize, " units x ", k, " labels"));
    }
    for (const std::vector<float>* v : {&m.weights, &m.bias, &m.hidden_bias, &m.output_weights}) {
      for (float x : *v) {
        if (!std::isfinite(x)) return absl::InvalidArgumentError(which + "a weight is not finite");
      }
    }
  }
  if (config.idf) {
    if (p.idf.size() != p.buckets.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("idf: ", p.idf.size(), " values for ", p.buckets.size(), " rows"));
    }
    for (float v : p.idf) {
      if (!(v > 0 && std::isfinite(v))) {
        return absl::InvalidArgumentError("an IDF value is not positive and finite");
      }
    }
    if (!(p.idf_unseen > 0 && std::isfinite(p.idf_unseen))) {
      return absl::InvalidArgumentError("the unseen-bucket IDF is not positive and finite");
    }
  } else if (!p.idf.empty()) {
    return absl::InvalidArgumentError("IDF values given but the featurizer does not use IDF");
  }
  IntentModel m(config);
  m.parts_ = std::move(p);
  m.total_hidden_ = total_hidden;
  m.row_of_.assign(num_buckets, -1);
  for (size_t r = 0; r < m.parts_.buckets.size(); ++r) {
    m.row_of_[m.parts_.buckets[r]] = static_cast<int32_t>(r);
  }
  return m;
}

std::string IntentModel::ToBytes() const {
  Writer w;
  w.Raw(absl::string_view(kMagic, sizeof kMagic));
  w.U32(kFormatVersion);
  w.U64(0);  // total size, patched below
  const FeaturizerConfig& c = featurizer_.config();
  w.U32(static_cast<uint32_t>(c.hash_bits));
  w.U32(static_cast<uint32_t>(c.word_ngram_max));
  w.U32(static_cast<uint32_t>(c.char_ngram_min));
  w.U32(static_cast<uint32_t>(c.char_ngram_max));
  w.U32((c.sublinear_tf ? kFlagSublinearTf : 0) | (c.idf ? kFlagIdf : 0) |
        (c.char_across_words ? kFlagCharAcrossWords : 0));
  w.U32(static_cast<uint32_t>(c.pair_window));
  w.F32(c.word_weight);
  w.F32(c.char_weight);
  w.Bytes(parts_.metadata);
  w.U32(static_cast<uint32_t>(parts_.labels.size()));
  for (const std::string& l : parts_.labels) w.Bytes(l);
  w.U32(static_cast<uint32_t>(parts_.buckets.size()));
  for (uint32_t b : parts_.buckets) w.U32(b);
  w.U32(static_cast<uint32_t>(parts_.members.size()));
  for (const ModelMember& m : parts_.members) {
    w.U32(static_cast<uint32_t>(m.hidden));
    for (float b : m.bias) w.F32(b);
    for (float x : m.weights) w.F32(x);
    for (float x : m.hidden_bias) w.F32(x);
    for (float x : m.output_weights) w.F32(x);
  }
  if (c.idf) {
    for (float x : parts_.idf) w.F32(x);
    w.F32(parts_.idf_unseen);
  }
  std::string& out = w.out();
  const uint64_t total = out.size() + kTrailerSize;
  for (int i = 0; i < 8; ++i) out[12 + i] = static_cast<char>((total >> (8 * i)) & 0xFF);
  w.U32(Crc32(out));
  return std::move(out);
}

absl::StatusOr<IntentModel> IntentModel::FromBytes(absl::string_view bytes) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return absl::InvalidArgumentError(
        bytes.size() < sizeof kMagic
            ? absl::StrCat("not an omniroute intent model: only ", bytes.size(), " bytes")
            : "not an omniroute intent model: wrong magic (expected \"OMRINTNT\")");
  }
  Reader r(bytes);
  r.Skip(sizeof kMagic);
  uint32_t version = 0;
  if (absl::Status s = r.U32("version", &version); !s.ok()) return s;
  if (version != kFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported intent model format version ",
                                                   version, " (this build reads version ",
                                                   kFormatVersion, ")"));
  }
  uint64_t total = 0;
  if (absl::Status s = r.U64("total size", &total); !s.ok()) return s;
  if (bytes.size() < total) {
    return absl::DataLossError(
        absl::StrCat("model file truncated: ", bytes.size(), " of ", total, " bytes"));
  }
  if (bytes.size() > total) {
    return absl::DataLossError(absl::StrCat("model file has ", bytes.size() - total,
                                            " unexpected trailing bytes (", total,
                                            " expected): corrupt"));
  }
  if (total < kHeaderSize + kTrailerSize) {
    return absl::DataLossError(absl::StrCat("model file: declared size ", total, " too small"));
  }
  {
    const absl::string_view body = bytes.substr(0, bytes.size() - kTrailerSize);
    const absl::string_view trailer = bytes.substr(bytes.size() - kTrailerSize);
    uint32_t stored = 0;
    for (int i = 0; i < 4; ++i)
      stored |= static_cast<uint32_t>(static_cast<uint8_t>(trailer[i])) << (8 * i);
    const uint32_t actual = Crc32(body);
    if (stored != actual) {
      return absl::DataLossError(absl::StrCat(
          "model file checksum mismatch (stored CRC-32 ", absl::Hex(stored, absl::kZeroPad8),
          ", computed ", absl::Hex(actual, absl::kZeroPad8), "): the file is corrupt"));
    }
  }
  Reader body(bytes.substr(0, bytes.size() - kTrailerSize));
  body.Skip(kHeaderSize);  // checked above
  FeaturizerConfig c;
  uint32_t hash_bits = 0, word_max = 0, char_min = 0, char_max = 0, flags = 0;
  for (auto [what, v] : {std::pair<const char*, uint32_t*>{"hash_bits", &hash_bits},
                         {"word_ngram_max", &word_max},
                         {"char_ngram_min", &char_min},
                         {"char_ngram_max", &char_max},
                         {"flags", &flags}}) {
    if (absl::Status s = body.U32(what, v); !s.ok()) return s;
    if (*v > 64) {
      return absl::DataLossError(
          absl::StrCat("model file: featurizer ", what, " = ", *v, " is out of range"));
    }
  }
  c.hash_bits = static_cast<int>(hash_bits);
  c.word_ngram_max = static_cast<int>(word_max);
  c.char_ngram_min = static_cast<int>(char_min);
  c.char_ngram_max = static_cast<int>(char_max);
  if ((flags & ~kKnownFlags) != 0) {
    return absl::DataLossError(absl::StrCat("model file: unknown featurizer flags ", flags));
  }
  c.sublinear_tf = (flags & kFlagSublinearTf) != 0;
  c.idf = (flags & kFlagIdf) != 0;
  c.char_across_words = (flags & kFlagCharAcrossWords) != 0;
  uint32_t pair_window = 0;
  if (absl::Status s = body.U32("pair_window", &pair_window); !s.ok()) return s;
  if (pair_window > 64) {
    return absl::DataLossError(
        absl::StrCat("model file: pair_window ", pair_window, " is out of range"));
  }
  c.pair_window = static_cast<int>(pair_window);
  if (absl::Status s = body.F32("word_weight", &c.word_weight); !s.ok()) return s;
  if (absl::Status s = body.F32("char_weight", &c.char_weight); !s.ok()) return s;
  if (absl::Status s = ValidateFeaturizerConfig(c); !s.ok()) {
    return absl::DataLossError(absl::StrCat("model file: featurizer: ", s.message()));
  }
  std::string metadata;
  if (absl::Status s = body.Bytes("metadata", kMaxMetadataLength, &metadata); !s.ok()) return s;
  uint32_t num_labels = 0;
  if (absl::Status s = body.U32("label count", &num_labels); !s.ok()) return s;
  if (num_labels == 0 || num_labels > kMaxLabels || !body.Fits(num_labels, 4)) {
    return absl::DataLossError(absl::StrCat("model file: bad label count ", num_labels));
  }
  std::vector<std::string> labels(num_labels);
  for (std::string& l : labels) {
    if (absl::Status s = body.Bytes("label", kMaxLabelLength, &l); !s.ok()) return s;
  }
  uint32_t num_rows = 0;
  if (absl::Status s = body.U32("row count", &num_rows); !s.ok()) return s;
  if (!body.Fits(num_rows, 4)) {
    return absl::DataLossError(
        absl::StrCat("model file: row count ", num_rows, " exceeds the file"));
  }
  std::vector<uint32_t> buckets(num_rows);
  for (uint32_t& b : buckets) {
    if (absl::Status s = body.U32("bucket id", &b); !s.ok()) return s;
  }
  uint32_t num_members = 0;
  if (absl::Status s = body.U32("member count", &num_members); !s.ok()) return s;
  if (num_members == 0 || num_members > kMaxMembers) {
    return absl::DataLossError(absl::StrCat("model file: bad member count ", num_members));
  }
  ModelParts parts;
  parts.members.resize(num_members);
  for (ModelMember& m : parts.members) {
    uint32_t hidden = 0;
    if (absl::Status s = body.U32("hidden size", &hidden); !s.ok()) return s;
    if (hidden > static_cast<uint32_t>(kMaxHidden)) {
      return absl::DataLossError(absl::StrCat("model file: hidden size ", hidden, " too large"));
    }
    const uint64_t width = hidden > 0 ? hidden : num_labels;
    // Check the sizes against what is left before allocating anything.
    const uint64_t floats =
        uint64_t{num_labels} + uint64_t{num_rows} * width + hidden + uint64_t{hidden} * num_labels;
    if (!body.Fits(floats, 4)) {
      return absl::DataLossError(absl::StrCat("model file: a member of ", num_rows, " rows x ",
                                              width, " needs ", floats * 4, " bytes, only ",
                                              body.remaining(), " left"));
    }
    m.hidden = static_cast<int>(hidden);
    const std::tuple<const char*, std::vector<float>*, uint64_t> arrays[] = {
        {"bias", &m.bias, num_labels},
        {"weight", &m.weights, uint64_t{num_rows} * width},
        {"hidden bias", &m.hidden_bias, hidden},
        {"output weight", &m.output_weights, uint64_t{hidden} * num_labels}};
    for (const auto& [what, v, n] : arrays) {
      v->resize(n);
      for (float& x : *v) {
        if (absl::Status s = body.F32(what, &x); !s.ok()) return s;
      }
    }
  }
  if (c.idf) {
    parts.idf.resize(num_rows);
    for (float& v : parts.idf) {
      if (absl::Status s = body.F32("idf", &v); !s.ok()) return s;
    }
    if (absl::Status s = body.F32("unseen idf", &parts.idf_unseen); !s.ok()) return s;
  }
  if (body.remaining() != 0) {
    return absl::DataLossError(
        absl::StrCat("model file: ", body.remaining(), " unexplained bytes before the checksum"));
  }
  parts.featurizer = c;
  parts.labels = std::move(labels);
  parts.buckets = std::move(buckets);
  parts.metadata = std::move(metadata);
  absl::StatusOr<IntentModel> m = Create(std::move(parts));
  if (!m.ok()) return absl::DataLossError(absl::StrCat("model file: ", m.status().message()));
  return m;
}

absl::StatusOr<IntentModel> IntentModel::FromFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<IntentModel> m = FromBytes(*bytes);
  if (!m.ok())
    return absl::Status(m.status().code(), absl::StrCat(path, ": ", m.status().message()));
  return m;
}

absl::Status IntentModel::ToFile(const std::string& path) const {
  const std::string bytes = ToBytes();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open for writing"));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

void IntentModel::Featurize(absl::string_view text, PredictScratch* s) const {
  featurizer_.FeaturizeUnnormalized(text, &s->featurizer, &s->features);
  if (featurizer_.config().idf) {
    for (SparseFeature& f : s->features) {
      const int32_t row = row_of_[f.bucket];
      f.value *= row < 0 ? parts_.idf_unseen : parts_.idf[row];
    }
  }
  L2Normalize(&s->features);
}

void IntentModel::MemberScores(const ModelMember& m, size_t active_offset,
                               PredictScratch* s) const {
  const size_t k = parts_.labels.size();
  s->member_scores.assign(m.bias.begin(), m.bias.end());
  float* scores = s->member_scores.data();
  if (m.hidden == 0) {
    for (const SparseFeature& f : s->features) {
      const int32_t row = row_of_[f.bucket];
      if (row < 0) continue;
      Axpy(f.value, m.weights.data() + static_cast<size_t>(row) * k, scores, k);
    }
    return;
  }
  const size_t hsize = static_cast<size_t>(m.hidden);
  s->hidden.assign(m.hidden_bias.begin(), m.hidden_bias.end());
  float* h = s->hidden.data();
  for (const SparseFeature& f : s->features) {
    const int32_t row = row_of_[f.bucket];
    if (row < 0) continue;
    Axpy(f.value, m.weights.data() + static_cast<size_t>(row) * hsize, h, hsize);
  }
  uint8_t* active = s->active.data() + active_offset;
  for (size_t u = 0; u < hsize; ++u) {
    active[u] = h[u] > 0;
    if (!active[u]) continue;
    Axpy(h[u], m.output_weights.data() + u * k, scores, k);
  }
}

void IntentModel::Probabilities(absl::string_view text, PredictScratch* s) const {
  Featurize(text, s);
  s->active.resize(total_hidden_);
  if (parts_.members.size() == 1) {
    MemberScores(parts_.members[0], 0, s);
    s->scores.swap(s->member_scores);
    SoftmaxInPlace(&s->scores);
    return;
  }
  // The ensemble's probabilities are the mean of its members' (each member is calibrated on
  // its own; averaging probabilities keeps the result a distribution).
  const size_t k = parts_.labels.size();
  s->scores.assign(k, 0.0f);
  const float share = 1.0f / static_cast<float>(parts_.members.size());
  size_t offset = 0;
  for (const ModelMember& m : parts_.members) {
    MemberScores(m, offset, s);
    offset += static_cast<size_t>(m.hidden);
    SoftmaxInPlace(&s->member_scores);
    for (size_t j = 0; j < k; ++j) s->scores[j] += share * s->member_scores[j];
  }
}

int IntentModel::PredictIndex(absl::string_view text, PredictScratch* s) const {
  Probabilities(text, s);
  return static_cast<int>(std::max_element(s->scores.begin(), s->scores.end()) - s->scores.begin());
}

void IntentModel::PrepareContributions(int label, PredictScratch* s) const {
  // A ReLU network is linear in its input for a fixed set of active units, so a feature's share
  // of the score runs through the units active for this message: per unit, its output weight
  // for `label` if active, else 0. A feature's contribution is then one dot product.
  const size_t k = parts_.labels.size();
  s->unit_weight.assign(total_hidden_, 0.0f);
  size_t offset = 0;
  for (const ModelMember& m : parts_.members) {
    for (size_t u = 0; u < static_cast<size_t>(m.hidden); ++u) {
      if (s->active[offset + u]) s->unit_weight[offset + u] = m.output_weights[u * k + label];
    }
    offset += static_cast<size_t>(m.hidden);
  }
}

float IntentModel::Contribution(int32_t row, float value, int label,
                                const PredictScratch& s) const {
  const size_t k = parts_.labels.size();
  double total = 0;
  size_t offset = 0;
  for (const ModelMember& m : parts_.members) {
    if (m.hidden == 0) {
      total += m.weights[static_cast<size_t>(row) * k + label];
      continue;
    }
    const size_t hsize = static_cast<size_t>(m.hidden);
    const float* w = m.weights.data() + static_cast<size_t>(row) * hsize;
    total += Dot(w, s.unit_weight.data() + offset, hsize);
    offset += hsize;
  }
  // The mean over members, like the probabilities.
  return static_cast<float>(value * total / parts_.members.size());
}

Prediction IntentModel::Predict(absl::string_view text, const PredictOptions& options,
                                PredictScratch* scratch) const {
  PredictScratch local;
  PredictScratch& s = scratch != nullptr ? *scratch : local;
  Probabilities(text, &s);
  Prediction p;
  std::vector<int> order(parts_.labels.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  const size_t top = std::min(order.size(), static_cast<size_t>(std::max(options.top_labels, 1)));
  // Ties go to the lower index so that the winner matches PredictIndex.
  std::partial_sort(order.begin(), order.begin() + top, order.end(), [&](int a, int b) {
    return s.scores[a] != s.scores[b] ? s.scores[a] > s.scores[b] : a < b;
  });
  for (size_t i = 0; i < top; ++i) {
    p.labels.push_back(LabelProbability{parts_.labels[order[i]], s.scores[order[i]]});
  }
  if (options.top_features <= 0) return p;

  // Explain the winner: each distinct n-gram gets its bucket's contribution (value x weight),
  // shared by occurrence count when several n-grams fell into one bucket. Names are built only
  // for the few n-grams reported.
  const int winner = order[0];
  PrepareContributions(winner, &s);
  std::vector<NgramRef>& grams = s.featurizer.ngrams;
  const absl::string_view norm(s.featurizer.normalized);
  auto key = [&](const NgramRef& g) {
    return std::make_tuple(g.kind, norm.substr(g.offset, g.length),
                           norm.substr(g.offset2, g.length2));
  };
  std::sort(grams.begin(), grams.end(), [&](const NgramRef& a, const NgramRef& b) {
    if (a.bucket != b.bucket) return a.bucket < b.bucket;
    return key(a) < key(b);
  });
  struct Scored {
    float contribution;
    size_t gram;
  };
  std::vector<Scored> scored;
  for (size_t i = 0; i < grams.size();) {
    size_t bucket_end = i;
    while (bucket_end < grams.size() && grams[bucket_end].bucket == grams[i].bucket) ++bucket_end;
    const int32_t row = row_of_[grams[i].bucket];
    auto f = std::lower_bound(s.features.begin(), s.features.end(), grams[i].bucket,
                              [](const SparseFeature& sf, uint32_t b) { return sf.bucket < b; });
    const float bucket_contribution =
        row < 0 || f == s.features.end() ? 0.0f : Contribution(row, f->value, winner, s);
    const float in_bucket = static_cast<float>(bucket_end - i);
    for (size_t j = i; j < bucket_end;) {
      size_t same = j;
      while (same < bucket_end && key(grams[same]) == key(grams[j])) ++same;
      if (bucket_contribution != 0) {
        scored.push_back(Scored{bucket_contribution * (same - j) / in_bucket, j});
      }
      j = same;
    }
    i = bucket_end;
  }
  const size_t nf = std::min(scored.size(), static_cast<size_t>(options.top_features));
  std::partial_sort(scored.begin(), scored.begin() + nf, scored.end(),
                    [&](const Scored& a, const Scored& b) {
                      if (a.contribution != b.contribution) return a.contribution > b.contribution;
                      return key(grams[a.gram]) < key(grams[b.gram]);
                    });
  for (size_t i = 0; i < nf; ++i) {
    p.features.push_back(FeatureContribution{
        Featurizer::NgramName(s.featurizer, grams[scored[i].gram]), scored[i].contribution});
  }
  return p;
}

}  // namespace omniroute::classification::model
