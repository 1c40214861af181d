#include "services/classification/model/csv.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace omniroute::classification::model {
namespace {

constexpr int kMaxReportedBadRows = 10;

bool IsHeader(const CsvRecord& record) {
  if (record.fields.size() != 2) return false;
  absl::string_view text = absl::StripAsciiWhitespace(record.fields[0]);
  absl::string_view label = absl::StripAsciiWhitespace(record.fields[1]);
  return absl::EqualsIgnoreCase(text, "text") &&
         (absl::EqualsIgnoreCase(label, "label") || absl::EqualsIgnoreCase(label, "category") ||
          absl::EqualsIgnoreCase(label, "intent"));
}

}  // namespace

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view content) {
  if (absl::StartsWith(content, "\xEF\xBB\xBF")) content.remove_prefix(3);
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  int line = 1;
  size_t i = 0;
  const size_t n = content.size();
  // A record is "empty" (a blank line, skipped) when it ended with one unquoted empty field.
  bool field_was_quoted = false;
  record.line = line;

  auto end_field = [&]() {
    record.fields.push_back(std::move(field));
    field.clear();
  };
  auto end_record = [&]() {
    end_field();
    const bool blank = record.fields.size() == 1 && record.fields[0].empty() && !field_was_quoted;
    if (!blank) records.push_back(std::move(record));
    record = CsvRecord();
    field_was_quoted = false;
  };

  while (i < n) {
    // At the start of a field.
    if (content[i] == '"') {
      field_was_quoted = true;
      const int start_line = line;
      ++i;
      bool closed = false;
      while (i < n) {
        const char c = content[i];
        if (c == '"') {
          if (i + 1 < n && content[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (c == '\n') ++line;
        field.push_back(c);
        ++i;
      }
      if (!closed) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", start_line, ": quoted field is not terminated (missing closing '\"')"));
      }
      // After a closing quote only a separator, a line break or the end may follow.
      if (i < n && content[i] != ',' && content[i] != '\n' &&
          !(content[i] == '\r' && i + 1 < n && content[i + 1] == '\n') &&
          !(content[i] == '\r' && i + 1 == n)) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": unexpected character '", content.substr(i, 1),
                         "' after a closing quote (a quote inside a quoted field is written "
                         "as \"\")"));
      }
    } else {
      while (i < n && content[i] != ',' && content[i] != '\n' &&
             !(content[i] == '\r' && (i + 1 == n || content[i + 1] == '\n'))) {
        field.push_back(content[i]);
        ++i;
      }
    }
    // At a separator, a line break or the end.
    if (i >= n) break;
    if (content[i] == ',') {
      end_field();
      field_was_quoted = false;
      ++i;
      if (i == n) {
        // "a,b," at the very end: the last field is empty.
        break;
      }
      continue;
    }
    if (content[i] == '\r') ++i;  // CRLF
    ++i;                          // LF
    end_record();
    ++line;
    record.line = line;
  }
  // The last record when the input does not end with a line break.
  if (i >= n && (!field.empty() || !record.fields.empty() || field_was_quoted)) end_record();
  return records;
}

absl::StatusOr<std::vector<Example>> ParseLabelledCsv(absl::string_view content) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(content);
  if (!records.ok()) return records.status();
  std::vector<Example> examples;
  std::vector<std::string> bad;
  int bad_count = 0;
  auto report = [&](const CsvRecord& r, absl::string_view why) {
    ++bad_count;
    if (bad.size() < kMaxReportedBadRows) bad.push_back(absl::StrCat("line ", r.line, ": ", why));
  };
  size_t first = 0;
  if (!records->empty() && IsHeader(records->front())) first = 1;
  examples.reserve(records->size() - first);
  for (size_t k = first; k < records->size(); ++k) {
    CsvRecord& r = (*records)[k];
    if (r.fields.size() != 2) {
      report(r, absl::StrCat("expected 2 fields (text,label), got ", r.fields.size(),
                             r.fields.size() > 2 ? " (quote a text that contains commas)" : ""));
      continue;
    }
    if (absl::StripAsciiWhitespace(r.fields[0]).empty()) {
      report(r, "empty text");
      continue;
    }
    absl::string_view label = absl::StripAsciiWhitespace(r.fields[1]);
    if (label.empty()) {
      report(r, "empty label");
      continue;
    }
    Example e;
    e.text = std::move(r.fields[0]);
    e.label = std::string(label);
    e.line = r.line;
    examples.push_back(std::move(e));
  }
  if (bad_count > 0) {
    std::string more =
        bad_count > static_cast<int>(bad.size())
            ? absl::StrCat("; and ", bad_count - static_cast<int>(bad.size()), " more")
            : "";
    return absl::InvalidArgumentError(
        absl::StrCat(bad_count, " bad row(s): ", absl::StrJoin(bad, "; "), more));
  }
  if (examples.empty()) return absl::InvalidArgumentError("no labelled rows (text,label)");
  return examples;
}

absl::StatusOr<std::string> ReadFileBytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return std::move(buffer).str();
}

absl::StatusOr<std::vector<Example>> ReadLabelledCsvFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::vector<Example>> examples = ParseLabelledCsv(*bytes);
  if (!examples.ok()) {
    return absl::Status(examples.status().code(),
                        absl::StrCat(path, ": ", examples.status().message()));
  }
  return examples;
}

}  // namespace omniroute::classification::model
