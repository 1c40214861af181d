// CSV: the bytes as a training/evaluation file (ParseCsv, ParseLabelledCsv). Checks: records
// start on increasing lines within the input, and every labelled example has a non-blank text
// and label, as documented.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "services/classification/model/csv.h"

namespace {

bool Blank(absl::string_view s) { return absl::StripAsciiWhitespace(s).empty(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace omniroute::classification::model;
  const absl::string_view content(reinterpret_cast<const char*>(data), size);
  int lines = 1;
  for (char c : content) lines += c == '\n';
  if (auto records = ParseCsv(content); records.ok()) {
    int previous = 0;
    for (const CsvRecord& r : *records) {
      if (r.line <= previous || r.line > lines || r.fields.empty()) std::abort();
      previous = r.line;
    }
  }
  if (auto examples = ParseLabelledCsv(content); examples.ok()) {
    for (const Example& e : *examples) {
      if (Blank(e.text) || Blank(e.label) || e.line < 1 || e.line > lines) std::abort();
    }
  }
  return 0;
}
