#include "util/strings.h"

#include <cstdint>

namespace strata {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr int kRuneError = 0xFFFD;
constexpr int kMaxRune = 0x10FFFF;

bool IsSurrogate(int r) { return r >= 0xD800 && r < 0xE000; }

void AppendHexByte(std::string* out, std::string_view prefix, uint8_t b) {
  out->append(prefix);
  out->push_back(kHexDigits[b >> 4]);
  out->push_back(kHexDigits[b & 0xf]);
}

// The escape of one rune as strconv.Quote writes it inside `quote`s.
void AppendGoQuotedRune(std::string* out, int r, char quote) {
  if (r == quote || r == '\\') {
    out->push_back('\\');
    out->push_back(static_cast<char>(r));
    return;
  }
  switch (r) {
    case '\a':
      out->append("\\a");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\v':
      out->append("\\v");
      return;
    default:
      break;
  }
  if (r < 0x20 || r == 0x7F) {
    AppendHexByte(out, "\\x", static_cast<uint8_t>(r));
  } else {
    AppendUtf8(out, r);
  }
}

// Go's encoding/json escapes <, >, & (HTML-safe output) and U+2028/U+2029
// (JavaScript line ends); go-logfmt, which otherwise copies its escaping,
// does neither.
enum class JsonEscaping { kEncodingJson, kLogfmt };

void AppendJsonEscaped(std::string* out, std::string_view s,
                       JsonEscaping escaping) {
  const bool go_json = escaping == JsonEscaping::kEncodingJson;
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto u = static_cast<uint8_t>(c);
    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
    if (go_json && u == 0xe2 && i + 2 < s.size() && s[i + 1] == '\x80' &&
        (s[i + 2] == '\xa8' || s[i + 2] == '\xa9')) {
      out->append(s[i + 2] == '\xa8' ? "\\u2028" : "\\u2029");
      i += 2;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '<':
      case '>':
      case '&':
        if (go_json) {
          AppendHexByte(out, "\\u00", u);
        } else {
          out->push_back(c);
        }
        break;
      default:
        if (u < 0x20) {
          AppendHexByte(out, "\\u00", u);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

bool NeedsLogfmtQuoting(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

int DecodeRune(std::string_view s, int* width) {
  *width = 1;
  const auto b0 = static_cast<uint8_t>(s[0]);
  if (b0 < 0x80) return b0;
  int n = 0;
  int r = 0;
  int min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, r = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, r = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    return kRuneError;
  }
  if (static_cast<int>(s.size()) < n) return kRuneError;
  for (int i = 1; i < n; ++i) {
    const auto b = static_cast<uint8_t>(s[i]);
    if ((b & 0xC0) != 0x80) return kRuneError;
    r = (r << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if (r < min || r > kMaxRune || IsSurrogate(r)) return kRuneError;
  *width = n;
  return r;
}

bool IsValidUtf8(std::string_view s) {
  while (!s.empty()) {
    int width = 1;
    if (DecodeRune(s, &width) == kRuneError && width == 1) {
      // A literal U+FFFD is three bytes wide; width 1 means invalid.
      return false;
    }
    s.remove_prefix(static_cast<size_t>(width));
  }
  return true;
}

void AppendUtf8(std::string* out, int r) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

void AppendExpositionEscaped(std::string* out, std::string_view s,
                             bool escape_quote) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '"':
        out->append(escape_quote ? "\\\"" : "\"");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  AppendExpositionEscaped(out, s, /*escape_quote=*/true);
  out->push_back('"');
}

void AppendGoQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  while (!s.empty()) {
    int width = 1;
    const int r = DecodeRune(s, &width);
    if (r == kRuneError && width == 1) {
      AppendHexByte(out, "\\x", static_cast<uint8_t>(s[0]));
    } else {
      AppendGoQuotedRune(out, r, '"');
    }
    s.remove_prefix(static_cast<size_t>(width));
  }
  out->push_back('"');
}

std::string GoQuoted(std::string_view s) {
  std::string out;
  AppendGoQuoted(&out, s);
  return out;
}

std::string GoQuotedRune(int r) {
  std::string out = "'";
  AppendGoQuotedRune(&out, r, '\'');
  out.push_back('\'');
  return out;
}

void AppendJsonString(std::string* out, std::string_view s) {
  AppendJsonEscaped(out, s, JsonEscaping::kEncodingJson);
}

void AppendJsonLabels(std::string* out, const Labels& labels) {
  out->push_back('{');
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, l.name);
    out->push_back(':');
    AppendJsonString(out, l.value);
  }
  out->push_back('}');
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

void AppendLogfmtValue(std::string* out, std::string_view s) {
  if (NeedsLogfmtQuoting(s)) {
    AppendJsonEscaped(out, s, JsonEscaping::kLogfmt);
  } else {
    out->append(s);
  }
}

std::string GoQueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                            c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

}  // namespace strata
