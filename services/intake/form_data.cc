#include "services/intake/form_data.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace omniroute::intake {
namespace {

constexpr absl::string_view kCrlf = "\r\n";

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

bool IsBoundaryChar(char c) {
  return absl::ascii_isalnum(c) ||
         absl::string_view("'()+_,-./:=? ").find(c) != absl::string_view::npos;
}

// The media type of a Content-Type ("multipart/form-data"), lower case, and its parameters.
struct MediaType {
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;  // names lower case
};

// Parses `type; name=value; name="quoted \" value"`. False on a malformed parameter.
bool ParseMediaType(absl::string_view text, MediaType* out) {
  size_t semi = text.find(';');
  out->type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text.substr(0, semi)));
  while (semi != absl::string_view::npos) {
    text.remove_prefix(semi + 1);
    text = absl::StripLeadingAsciiWhitespace(text);
    if (text.empty()) break;
    size_t eq = text.find('=');
    if (eq == absl::string_view::npos || eq == 0) return false;
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text.substr(0, eq)));
    text.remove_prefix(eq + 1);
    std::string value;
    if (!text.empty() && text[0] == '"') {
      size_t i = 1;
      for (; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value.push_back(text[i]);
      }
      if (i >= text.size()) return false;  // unterminated quoted string
      text.remove_prefix(i + 1);
      semi = text.find(';');
      if (!absl::StripAsciiWhitespace(text.substr(0, semi)).empty()) return false;
    } else {
      semi = text.find(';');
      value = std::string(absl::StripAsciiWhitespace(text.substr(0, semi)));
    }
    out->params.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

const std::string* Param(const MediaType& m, absl::string_view name) {
  for (const auto& [k, v] : m.params) {
    if (k == name) return &v;
  }
  return nullptr;
}

// One part's header block (without its blank line) into `field`.
absl::Status ParsePartHeaders(absl::string_view block, const std::string& where, FormField* field) {
  bool disposition = false;
  for (absl::string_view line : absl::StrSplit(block, kCrlf)) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return Invalid(where, "a header line without a name");
    }
    std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (name == "content-disposition") {
      MediaType m;
      if (disposition || !ParseMediaType(value, &m) || m.type != "form-data") {
        return Invalid(where, "Content-Disposition must be one form-data; name=\"...\"");
      }
      const std::string* n = Param(m, "name");
      if (n == nullptr || n->empty()) return Invalid(where, "Content-Disposition needs a name");
      field->name = *n;
      const std::string* f = Param(m, "filename");
      if (f == nullptr) f = Param(m, "filename*");
      field->is_file = f != nullptr;
      if (f != nullptr) field->filename = *f;
      disposition = true;
    } else if (name == "content-type") {
      field->content_type = std::string(value);
    } else if (name == "content-transfer-encoding") {
      std::string enc = absl::AsciiStrToLower(value);
      if (enc != "7bit" && enc != "8bit" && enc != "binary") {
        return Invalid(where, absl::StrCat("Content-Transfer-Encoding ", enc, " is not supported"));
      }
    }
  }
  if (!disposition) return Invalid(where, "no Content-Disposition");
  return absl::OkStatus();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte.
absl::StatusOr<std::string> UrlDecode(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] != '%') {
      out.push_back(in[i]);
    } else {
      int hi = i + 2 < in.size() ? HexValue(in[i + 1]) : -1;
      int lo = hi >= 0 ? HexValue(in[i + 2]) : -1;
      if (lo < 0) return Invalid("body", "a % not followed by two hex digits");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}

absl::StatusOr<std::vector<FormField>> ParseUrlEncoded(absl::string_view body, size_t max_fields) {
  std::vector<FormField> fields;
  for (absl::string_view pair : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    if (fields.size() == max_fields) {
      return Invalid("body", absl::StrCat("more than ", max_fields, " fields"));
    }
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    FormField f;
    auto name = UrlDecode(kv.first);
    if (!name.ok()) return name.status();
    auto value = UrlDecode(kv.second);
    if (!value.ok()) return value.status();
    f.name = std::move(*name);
    f.value = std::move(*value);
    fields.push_back(std::move(f));
  }
  return fields;
}

}  // namespace

absl::StatusOr<std::string> MultipartBoundary(absl::string_view content_type) {
  MediaType m;
  if (!ParseMediaType(content_type, &m) || m.type != "multipart/form-data") {
    return Invalid("Content-Type", "must be multipart/form-data; boundary=...");
  }
  const std::string* b = Param(m, "boundary");
  if (b == nullptr || b->empty() || b->size() > 70 || b->back() == ' ' ||
      !std::all_of(b->begin(), b->end(), IsBoundaryChar)) {
    return Invalid("Content-Type", "needs a boundary of 1..70 characters (RFC 2046)");
  }
  return *b;
}

absl::StatusOr<std::vector<FormField>> ParseMultipartFormData(absl::string_view body,
                                                              absl::string_view boundary,
                                                              const FormLimits& limits) {
  const std::string dash = absl::StrCat("--", boundary);
  const std::string delimiter = absl::StrCat(kCrlf, dash);
  // The first delimiter opens the body or follows a preamble.
  size_t pos;
  if (absl::StartsWith(body, dash)) {
    pos = dash.size();
  } else {
    size_t found = body.find(delimiter);
    if (found == absl::string_view::npos) return Invalid("body", "no multipart boundary");
    pos = found + delimiter.size();
  }
  std::vector<FormField> fields;
  for (;;) {
    // After a delimiter: "--" closes the body, else optional padding and CRLF open a part.
    if (body.substr(pos, 2) == "--") return fields;  // the epilogue is ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != kCrlf) return Invalid("body", "a boundary not followed by CRLF");
    pos += 2;
    if (fields.size() == limits.max_parts) {
      return Invalid("body", absl::StrCat("more than ", limits.max_parts, " parts"));
    }
    const std::string where = absl::StrCat("body part ", fields.size() + 1);
    size_t headers_end = body.find("\r\n\r\n", pos);
    // A part without headers: its blank line follows at once.
    bool no_headers = body.substr(pos, 2) == kCrlf;
    if (no_headers) return Invalid(where, "no Content-Disposition");
    if (headers_end == absl::string_view::npos || headers_end - pos > limits.max_header_bytes) {
      return Invalid(
          where, absl::StrCat("no end of its headers within ", limits.max_header_bytes, " bytes"));
    }
    absl::string_view block = body.substr(pos, headers_end - pos);
    if (block.find(delimiter) != absl::string_view::npos) {
      return Invalid(where, "no blank line after its headers");
    }
    FormField field;
    if (auto st = ParsePartHeaders(block, where, &field); !st.ok()) {
      return st;
    }
    size_t content = headers_end + 4;
    size_t end = body.find(delimiter, content);
    if (end == absl::string_view::npos) return Invalid(where, "no closing boundary");
    field.value = std::string(body.substr(content, end - content));
    fields.push_back(std::move(field));
    pos = end + delimiter.size();
  }
}

absl::StatusOr<std::vector<FormField>> ParseForm(absl::string_view content_type,
                                                 absl::string_view body) {
  FormLimits limits;
  MediaType m;
  if (ParseMediaType(content_type, &m) && m.type == "application/x-www-form-urlencoded") {
    return ParseUrlEncoded(body, limits.max_parts);
  }
  if (m.type != "multipart/form-data") {
    return absl::UnimplementedError(
        absl::StrCat("Content-Type: '", content_type.substr(0, 64),
                     "' is not application/x-www-form-urlencoded or multipart/form-data"));
  }
  auto boundary = MultipartBoundary(content_type);
  if (!boundary.ok()) return boundary.status();
  return ParseMultipartFormData(body, *boundary, limits);
}

const std::string& FieldValue(const std::vector<FormField>& fields, absl::string_view name,
                              bool any_case) {
  static const std::string kNone;
  for (const auto& f : fields) {
    if (any_case ? absl::EqualsIgnoreCase(f.name, name) : f.name == name) return f.value;
  }
  return kNone;
}

}  // namespace omniroute::intake
