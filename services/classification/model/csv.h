#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace omniroute::classification::model {

// One CSV record and the 1-based line of the input it starts on (a quoted field may span
// several lines, so error messages name where the record began).
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// RFC 4180 CSV: fields separated by ',', records by LF or CRLF; a field that starts with '"' is
// quoted and may hold commas, line breaks and '""' (one quote). A bare '"' inside an unquoted
// field is kept literally (spreadsheets write such files). A leading UTF-8 byte order mark is
// skipped; empty lines are skipped. Errors (an unterminated quoted field, text after a closing
// quote) name the line.
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view content);

// A labelled message for training or evaluation.
struct Example {
  std::string text;
  std::string label;
  int line = 0;  // where it came from, for reports
};

// Reads (text,label) records. The first record is a header and skipped when it is
// "text,label", "text,category" or "text,intent" (any case). Every other record must have
// exactly two fields, a non-blank text and a non-blank label (surrounding blanks of the label are
// trimmed). Bad rows are reported together (up to 10, with their line numbers) in one
// InvalidArgument error.
absl::StatusOr<std::vector<Example>> ParseLabelledCsv(absl::string_view content);

// ParseLabelledCsv on a file's content; errors are prefixed with the path (NotFound when the file
// cannot be read).
absl::StatusOr<std::vector<Example>> ReadLabelledCsvFile(const std::string& path);

// Reads a whole file as bytes.
absl::StatusOr<std::string> ReadFileBytes(const std::string& path);

}  // namespace omniroute::classification::model
