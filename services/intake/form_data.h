#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace omniroute::intake {

// One field of a posted form.
struct FormField {
  std::string name;
  std::string value;         // the raw bytes (a file's content for a file part)
  std::string filename;      // set (maybe "") for file parts: is_file
  std::string content_type;  // the part's Content-Type, "" when it has none
  bool is_file = false;
};

struct FormLimits {
  size_t max_parts = 500;
  size_t max_header_bytes = 8192;  // the header block of one part
};

// The boundary of a "multipart/form-data; boundary=..." Content-Type (RFC 2046: 1..70 of
// [0-9A-Za-z'()+_,-./:=? ], not ending in a space; quoted or not). INVALID_ARGUMENT naming
// "Content-Type" otherwise.
absl::StatusOr<std::string> MultipartBoundary(absl::string_view content_type);

// A multipart/form-data body (RFC 7578), strictly: CRLF line ends, every part with a
// Content-Disposition of form-data and a name, no Content-Transfer-Encoding but 7bit, 8bit or
// binary, a closing delimiter; at most `limits` parts and header bytes. A preamble before the
// first delimiter and an epilogue after the last are ignored, as RFC 2046 says. The input is
// not copied beyond the fields' values. INVALID_ARGUMENT naming the part otherwise.
absl::StatusOr<std::vector<FormField>> ParseMultipartFormData(absl::string_view body,
                                                              absl::string_view boundary,
                                                              const FormLimits& limits = {});

// A form posted as application/x-www-form-urlencoded or multipart/form-data, by its
// Content-Type; UNIMPLEMENTED (answered 415) for another content type.
absl::StatusOr<std::vector<FormField>> ParseForm(absl::string_view content_type,
                                                 absl::string_view body);

// The value of the first field named `name` (ASCII case-insensitive when `any_case`), or "".
const std::string& FieldValue(const std::vector<FormField>& fields, absl::string_view name,
                              bool any_case = false);

}  // namespace omniroute::intake
