#pragma once

// Little-endian encoding of the model file's fields (see model_file.cc for the layout).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace omniroute::classification::model {

// Appends integers, IEEE-754 binary32 floats (as bit patterns) and length-prefixed bytes.
class ByteWriter {
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
class ByteReader {
 public:
  explicit ByteReader(absl::string_view in) : in_(in) {}

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
  // `n` raw bytes (int8 weights).
  absl::Status Raw(const char* what, void* out, size_t n) {
    if (in_.size() - pos_ < n) return Truncated(what);
    if (n == 0) return absl::OkStatus();  // `out` may then be null (an empty vector's data())
    std::memcpy(out, in_.data() + pos_, n);
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

}  // namespace omniroute::classification::model
