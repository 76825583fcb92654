#include "promql/quote.h"

#include "absl/strings/str_format.h"

namespace strata::promql {
namespace {

int DigitVal(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return 16;
}

// Appends the escaped form of rune r as Go's strconv.Quote does, for a
// string quoted with `quote`.
void AppendQuotedRune(std::string* out, int r, char quote) {
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
    absl::StrAppendFormat(out, "\\x%02x", r);
  } else {
    AppendUtf8(out, r);
  }
}

}  // namespace

// Decodes one UTF-8 sequence; returns 0xFFFD with width 1 when invalid,
// like Go's utf8.DecodeRuneInString.
int DecodeRune(std::string_view s, int* width) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) {
    *width = 1;
    return b0;
  }
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
    *width = 1;
    return 0xFFFD;
  }
  if (static_cast<int>(s.size()) < n) {
    *width = 1;
    return 0xFFFD;
  }
  for (int i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) {
      *width = 1;
      return 0xFFFD;
    }
    r = (r << 6) | (b & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) {
    *width = 1;
    return 0xFFFD;
  }
  *width = n;
  return r;
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

// Go's %#U: "U+0041 'A'".
std::string FormatRuneU(int r) {
  std::string out = absl::StrFormat("U+%04X", r);
  if (r >= 0x20 && r != 0x7F) {
    out.append(" '");
    AppendUtf8(&out, r);
    out.push_back('\'');
  }
  return out;
}

StatusOr<std::string> Unquote(std::string_view s) {
  const Status bad = Status::InvalidArgument("invalid syntax");
  if (s.size() < 2) return bad;
  const char quote = s.front();
  if (quote != s.back()) return bad;
  s = s.substr(1, s.size() - 2);
  if (quote == '`') {
    if (s.find('`') != s.npos) return bad;
    return std::string(s);
  }
  if (quote != '"' && quote != '\'') return bad;
  if (s.find('\n') != s.npos) return bad;
  std::string out;
  while (!s.empty()) {
    const char c = s.front();
    if (c == quote) return bad;
    if (c != '\\') {
      out.push_back(c);
      s.remove_prefix(1);
      continue;
    }
    if (s.size() < 2) return bad;
    const char e = s[1];
    s.remove_prefix(2);
    switch (e) {
      case 'a':
        out.push_back('\a');
        continue;
      case 'b':
        out.push_back('\b');
        continue;
      case 'f':
        out.push_back('\f');
        continue;
      case 'n':
        out.push_back('\n');
        continue;
      case 'r':
        out.push_back('\r');
        continue;
      case 't':
        out.push_back('\t');
        continue;
      case 'v':
        out.push_back('\v');
        continue;
      case '\\':
        out.push_back('\\');
        continue;
      case '\'':
      case '"':
        if (e != quote) return bad;
        out.push_back(e);
        continue;
      default:
        break;
    }
    int n = 0, base = 16;
    uint32_t max = 0x10FFFF;
    bool is_byte = false;
    std::string_view digits;
    if (e >= '0' && e <= '7') {
      n = 3, base = 8, max = 255, is_byte = true;
      if (s.size() < 2) return bad;
      digits = std::string_view(s.data() - 1, 3);
      s.remove_prefix(2);
    } else if (e == 'x' || e == 'u' || e == 'U') {
      n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
      max = e == 'x' ? 255 : 0x10FFFF;
      is_byte = e == 'x';
      if (static_cast<int>(s.size()) < n) return bad;
      digits = s.substr(0, n);
      s.remove_prefix(n);
    } else {
      return bad;
    }
    uint32_t x = 0;
    for (char d : digits) {
      int v = DigitVal(static_cast<unsigned char>(d));
      if (v >= base) return bad;
      x = x * base + v;
    }
    if (x > max) return bad;
    if (is_byte) {
      out.push_back(static_cast<char>(x));
    } else {
      if (x >= 0xD800 && x < 0xE000) return bad;
      AppendUtf8(&out, static_cast<int>(x));
    }
  }
  return out;
}

std::string QuoteRune(int r) {
  std::string out = "'";
  AppendQuotedRune(&out, r, '\'');
  out.push_back('\'');
  return out;
}

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  while (!s.empty()) {
    int width = 1;
    int r = DecodeRune(s, &width);
    if (r == 0xFFFD && width == 1 && static_cast<unsigned char>(s[0]) >= 0x80) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(s[0]));
    } else {
      AppendQuotedRune(&out, r, '"');
    }
    s.remove_prefix(width);
  }
  out.push_back('"');
  return out;
}

}  // namespace strata::promql
