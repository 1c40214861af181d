#include <array>
#include <cstring>
#include <fstream>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/classification/model/byte_io.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/out_of_scope.h"

// The model file: IntentModel::ToBytes / FromBytes / FromFile / ToFile and the CRC-32.
namespace omniroute::classification::model {
namespace {

// Serialised layout (version 3), every integer little-endian, floats as IEEE-754 binary32 bit
// patterns:
//
//   magic "OMRINTNT" (8 bytes) | u32 version | u64 total size in bytes (this header included)
//   u32 view count V, then per view its featurizer: u32 hash_bits, u32 word_ngram_max,
//     u32 char_ngram_min, u32 char_ngram_max, u32 flags (bit 0: sublinear tf, bit 1: idf,
//     bit 2: char n-grams across words), u32 pair_window, f32 word_weight, f32 char_weight
//   u32 metadata length, metadata bytes
//   u32 label count L, then per label: u32 length, bytes
//   per view: u32 row count R, R x u32 bucket ids (strictly increasing), with the idf flag
//     R x f32 IDF per row and f32 IDF of an unseen bucket; u32 member count M, then per member:
//     u32 hidden size H (0: linear), L x f32 bias, R x f32 row scales, R x W x i8 weights
//     (row-major; W = L when linear, else H), H x f32 hidden bias, H x L x f32 output weights
//   f32 temperature
//   (version 3) the out-of-scope detector: u32 signal count S (0: none, else
//     kOutOfScopeSignals), S x f32 weights, f32 bias, u32 1 + f32 threshold, or u32 0 (never
//     out of scope), u32 centroid flag (0: none; 1: per member in order, L x H x f32), and
//     with centroids a u32 prototype flag (0: none; 1: per member in order, u32 P and its
//     prototypes, L x H x P i8; see hidden_space.h)
//   u32 CRC-32 of every byte before it
//
// The declared total size comes first so that a truncated file is reported as truncated rather
// than as a checksum mismatch; the checksum then catches any other damage before a single count
// is trusted. Version 2 (no out-of-scope detector) is read as a model without one; version 1
// (one view, float weights) is not read: retrain.
constexpr char kMagic[8] = {'O', 'M', 'R', 'I', 'N', 'T', 'N', 'T'};
constexpr size_t kHeaderSize = 8 + 4 + 8;
constexpr size_t kTrailerSize = 4;
constexpr uint32_t kFlagSublinearTf = 1;
constexpr uint32_t kFlagIdf = 2;
constexpr uint32_t kFlagCharAcrossWords = 4;
constexpr uint32_t kKnownFlags = kFlagSublinearTf | kFlagIdf | kFlagCharAcrossWords;
// Generous bounds that keep a garbled count from asking for absurd allocations even after the
// checksum matched (e.g. a file written by a buggy tool). Create checks the finer limits.
constexpr uint32_t kMaxLabels = 100000;
constexpr uint32_t kMaxLabelLength = 1000;
constexpr uint32_t kMaxMetadataLength = 1 << 20;
constexpr uint32_t kMaxHidden = 4096;
constexpr uint32_t kMaxViews = 16;
constexpr uint32_t kMaxMembers = 16;

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

void WriteFeaturizer(const FeaturizerConfig& c, ByteWriter* w) {
  w->U32(static_cast<uint32_t>(c.hash_bits));
  w->U32(static_cast<uint32_t>(c.word_ngram_max));
  w->U32(static_cast<uint32_t>(c.char_ngram_min));
  w->U32(static_cast<uint32_t>(c.char_ngram_max));
  w->U32((c.sublinear_tf ? kFlagSublinearTf : 0) | (c.idf ? kFlagIdf : 0) |
         (c.char_across_words ? kFlagCharAcrossWords : 0));
  w->U32(static_cast<uint32_t>(c.pair_window));
  w->F32(c.word_weight);
  w->F32(c.char_weight);
}

absl::Status ReadFeaturizer(ByteReader* body, FeaturizerConfig* c) {
  uint32_t hash_bits = 0, word_max = 0, char_min = 0, char_max = 0, flags = 0, pair_window = 0;
  for (auto [what, v] : {std::pair<const char*, uint32_t*>{"hash_bits", &hash_bits},
                         {"word_ngram_max", &word_max},
                         {"char_ngram_min", &char_min},
                         {"char_ngram_max", &char_max},
                         {"flags", &flags},
                         {"pair_window", &pair_window}}) {
    if (absl::Status s = body->U32(what, v); !s.ok()) return s;
    if (*v > 64 && v != &flags) {
      return absl::DataLossError(
          absl::StrCat("model file: featurizer ", what, " = ", *v, " is out of range"));
    }
  }
  if ((flags & ~kKnownFlags) != 0) {
    return absl::DataLossError(absl::StrCat("model file: unknown featurizer flags ", flags));
  }
  c->hash_bits = static_cast<int>(hash_bits);
  c->word_ngram_max = static_cast<int>(word_max);
  c->char_ngram_min = static_cast<int>(char_min);
  c->char_ngram_max = static_cast<int>(char_max);
  c->sublinear_tf = (flags & kFlagSublinearTf) != 0;
  c->idf = (flags & kFlagIdf) != 0;
  c->char_across_words = (flags & kFlagCharAcrossWords) != 0;
  c->pair_window = static_cast<int>(pair_window);
  if (absl::Status s = body->F32("word_weight", &c->word_weight); !s.ok()) return s;
  if (absl::Status s = body->F32("char_weight", &c->char_weight); !s.ok()) return s;
  if (absl::Status s = ValidateFeaturizerConfig(*c); !s.ok()) {
    return absl::DataLossError(absl::StrCat("model file: featurizer: ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status ReadFloats(ByteReader* body, const char* what, uint64_t n, std::vector<float>* v) {
  if (!body->Fits(n, 4)) return body->Truncated(what);
  v->resize(n);
  for (float& x : *v) {
    if (absl::Status s = body->F32(what, &x); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ReadMember(ByteReader* body, uint64_t rows, uint64_t num_labels, ModelMember* m) {
  uint32_t hidden = 0;
  if (absl::Status s = body->U32("hidden size", &hidden); !s.ok()) return s;
  if (hidden > kMaxHidden) {
    return absl::DataLossError(absl::StrCat("model file: hidden size ", hidden, " too large"));
  }
  const uint64_t width = hidden > 0 ? hidden : num_labels;
  // Check the sizes against what is left before allocating anything.
  const uint64_t bytes =
      4 * (num_labels + rows + hidden + uint64_t{hidden} * num_labels) + rows * width;
  if (!body->Fits(bytes, 1)) {
    return absl::DataLossError(absl::StrCat("model file: a member of ", rows, " rows x ", width,
                                            " needs ", bytes, " bytes, only ", body->remaining(),
                                            " left"));
  }
  m->hidden = static_cast<int>(hidden);
  if (absl::Status s = ReadFloats(body, "bias", num_labels, &m->bias); !s.ok()) return s;
  if (absl::Status s = ReadFloats(body, "row scale", rows, &m->row_scale); !s.ok()) return s;
  m->weights.resize(rows * width);
  if (absl::Status s = body->Raw("weight", m->weights.data(), m->weights.size()); !s.ok()) {
    return s;
  }
  if (absl::Status s = ReadFloats(body, "hidden bias", hidden, &m->hidden_bias); !s.ok()) {
    return s;
  }
  return ReadFloats(body, "output weight", uint64_t{hidden} * num_labels, &m->output_weights);
}

// The version-3 out-of-scope detector (see the layout above).
absl::Status ReadOutOfScope(ByteReader* body, const ModelParts& parts, OutOfScopeDetector* d) {
  uint32_t count = 0;
  if (absl::Status s = body->U32("out-of-scope signal count", &count); !s.ok()) return s;
  if (count != 0 && count != kOutOfScopeSignals) {
    return absl::DataLossError(absl::StrCat("model file: out-of-scope signal count ", count,
                                            " (expected 0 or ", kOutOfScopeSignals, ")"));
  }
  if (absl::Status s = ReadFloats(body, "out-of-scope weight", count, &d->weights); !s.ok()) {
    return s;
  }
  if (absl::Status s = body->F32("out-of-scope bias", &d->bias); !s.ok()) return s;
  uint32_t has_threshold = 0;
  if (absl::Status s = body->U32("out-of-scope threshold flag", &has_threshold); !s.ok()) return s;
  if (has_threshold > 1) {
    return absl::DataLossError(
        absl::StrCat("model file: out-of-scope threshold flag ", has_threshold, " (0 or 1)"));
  }
  d->threshold = kNeverOutOfScope;
  if (has_threshold == 1) {
    if (absl::Status s = body->F32("out-of-scope threshold", &d->threshold); !s.ok()) return s;
  }
  uint32_t has_centroids = 0;
  if (absl::Status s = body->U32("out-of-scope centroid flag", &has_centroids); !s.ok()) return s;
  if (has_centroids > 1) {
    return absl::DataLossError(
        absl::StrCat("model file: out-of-scope centroid flag ", has_centroids, " (0 or 1)"));
  }
  if (has_centroids == 0) return absl::OkStatus();
  for (const ModelView& v : parts.views) {
    for (const ModelMember& m : v.members) {
      d->centroids.emplace_back();
      const uint64_t n = uint64_t{parts.labels.size()} * static_cast<uint64_t>(m.hidden);
      if (absl::Status s = ReadFloats(body, "out-of-scope centroid", n, &d->centroids.back());
          !s.ok()) {
        return s;
      }
    }
  }
  uint32_t has_space = 0;
  if (absl::Status s = body->U32("out-of-scope prototype flag", &has_space); !s.ok()) return s;
  if (has_space > 1) {
    return absl::DataLossError(
        absl::StrCat("model file: out-of-scope prototype flag ", has_space, " (0 or 1)"));
  }
  for (const ModelView& v : parts.views) {
    for (const ModelMember& m : v.members) {
      if (has_space == 0) break;
      d->hidden_space.emplace_back();
      const size_t hidden = static_cast<size_t>(m.hidden);
      if (absl::Status s =
              ReadHiddenSpace(body, parts.labels.size(), hidden, &d->hidden_space.back());
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

uint32_t Crc32(absl::string_view bytes) {
  static const std::array<uint32_t, 256> kTable = MakeCrcTable();
  uint32_t c = 0xFFFFFFFFu;
  for (char ch : bytes) c = kTable[(c ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string IntentModel::ToBytes() const {
  ByteWriter w;
  w.Raw(absl::string_view(kMagic, sizeof kMagic));
  w.U32(kFormatVersion);
  w.U64(0);  // total size, patched below
  w.U32(static_cast<uint32_t>(parts_.views.size()));
  for (const ModelView& v : parts_.views) WriteFeaturizer(v.featurizer, &w);
  w.Bytes(parts_.metadata);
  w.U32(static_cast<uint32_t>(parts_.labels.size()));
  for (const std::string& l : parts_.labels) w.Bytes(l);
  for (const ModelView& v : parts_.views) {
    w.U32(static_cast<uint32_t>(v.buckets.size()));
    for (uint32_t b : v.buckets) w.U32(b);
    if (v.featurizer.idf) {
      for (float x : v.idf) w.F32(x);
      w.F32(v.idf_unseen);
    }
    w.U32(static_cast<uint32_t>(v.members.size()));
    for (const ModelMember& m : v.members) {
      w.U32(static_cast<uint32_t>(m.hidden));
      for (float b : m.bias) w.F32(b);
      for (float x : m.row_scale) w.F32(x);
      w.Raw(absl::string_view(reinterpret_cast<const char*>(m.weights.data()), m.weights.size()));
      for (float x : m.hidden_bias) w.F32(x);
      for (float x : m.output_weights) w.F32(x);
    }
  }
  w.F32(parts_.temperature);
  const OutOfScopeDetector& oos = parts_.out_of_scope;
  w.U32(static_cast<uint32_t>(oos.weights.size()));
  for (float x : oos.weights) w.F32(x);
  w.F32(oos.bias);
  const bool has_threshold = oos.threshold != kNeverOutOfScope;
  w.U32(has_threshold ? 1 : 0);
  if (has_threshold) w.F32(oos.threshold);
  w.U32(oos.centroids.empty() ? 0 : 1);
  for (const std::vector<float>& c : oos.centroids) {
    for (float x : c) w.F32(x);
  }
  if (!oos.centroids.empty()) w.U32(oos.hidden_space.empty() ? 0 : 1);
  for (const HiddenSpace& g : oos.hidden_space) WriteHiddenSpace(g, &w);
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
  ByteReader r(bytes);
  r.Skip(sizeof kMagic);
  uint32_t version = 0;
  if (absl::Status s = r.U32("version", &version); !s.ok()) return s;
  if (version != kFormatVersion && version != kFormatVersionWithoutOos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported intent model format version ", version, " (this build reads versions ",
        kFormatVersionWithoutOos, " and ", kFormatVersion, ")"));
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
  ByteReader body(bytes.substr(0, bytes.size() - kTrailerSize));
  body.Skip(kHeaderSize);  // checked above
  uint32_t num_views = 0;
  if (absl::Status s = body.U32("view count", &num_views); !s.ok()) return s;
  if (num_views == 0 || num_views > kMaxViews) {
    return absl::DataLossError(absl::StrCat("model file: bad view count ", num_views));
  }
  ModelParts parts;
  parts.views.resize(num_views);
  for (ModelView& v : parts.views) {
    if (absl::Status s = ReadFeaturizer(&body, &v.featurizer); !s.ok()) return s;
  }
  if (absl::Status s = body.Bytes("metadata", kMaxMetadataLength, &parts.metadata); !s.ok()) {
    return s;
  }
  uint32_t num_labels = 0;
  if (absl::Status s = body.U32("label count", &num_labels); !s.ok()) return s;
  if (num_labels == 0 || num_labels > kMaxLabels || !body.Fits(num_labels, 4)) {
    return absl::DataLossError(absl::StrCat("model file: bad label count ", num_labels));
  }
  parts.labels.resize(num_labels);
  for (std::string& l : parts.labels) {
    if (absl::Status s = body.Bytes("label", kMaxLabelLength, &l); !s.ok()) return s;
  }
  for (ModelView& v : parts.views) {
    uint32_t num_rows = 0;
    if (absl::Status s = body.U32("row count", &num_rows); !s.ok()) return s;
    if (!body.Fits(num_rows, 4)) {
      return absl::DataLossError(
          absl::StrCat("model file: row count ", num_rows, " exceeds the file"));
    }
    v.buckets.resize(num_rows);
    for (uint32_t& b : v.buckets) {
      if (absl::Status s = body.U32("bucket id", &b); !s.ok()) return s;
    }
    if (v.featurizer.idf) {
      if (absl::Status s = ReadFloats(&body, "idf", num_rows, &v.idf); !s.ok()) return s;
      if (absl::Status s = body.F32("unseen idf", &v.idf_unseen); !s.ok()) return s;
    }
    uint32_t num_members = 0;
    if (absl::Status s = body.U32("member count", &num_members); !s.ok()) return s;
    if (num_members == 0 || num_members > kMaxMembers) {
      return absl::DataLossError(absl::StrCat("model file: bad member count ", num_members));
    }
    v.members.resize(num_members);
    for (ModelMember& m : v.members) {
      if (absl::Status s = ReadMember(&body, num_rows, num_labels, &m); !s.ok()) return s;
    }
  }
  if (absl::Status s = body.F32("temperature", &parts.temperature); !s.ok()) return s;
  if (version >= kFormatVersion) {
    if (absl::Status s = ReadOutOfScope(&body, parts, &parts.out_of_scope); !s.ok()) return s;
  }
  if (body.remaining() != 0) {
    return absl::DataLossError(
        absl::StrCat("model file: ", body.remaining(), " unexplained bytes before the checksum"));
  }
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

}  // namespace omniroute::classification::model
