#include "promql/quote.h"

#include "absl/strings/str_format.h"
#include "util/strings.h"

namespace strata::promql {
namespace {

int DigitVal(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return 16;
}

}  // namespace

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

}  // namespace strata::promql
