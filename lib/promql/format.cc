#include "promql/format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <system_error>

#include "util/strings.h"

namespace strata::promql {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status SyntaxError(std::string_view fn, std::string_view s) {
  return Status::InvalidArgument("strconv." + std::string(fn) + ": parsing \"" +
                                 std::string(s) + "\": invalid syntax");
}

Status RangeError(std::string_view fn, std::string_view s) {
  return Status::InvalidArgument("strconv." + std::string(fn) + ": parsing \"" +
                                 std::string(s) + "\": value out of range");
}

// Go's strconv.ParseInt(s, 0, 64) for what PromQL's lexer can produce:
// decimal, 0x hex and leading-zero octal. Returns false if s is not an
// integer in that syntax; sets *overflow if it is but does not fit.
bool ParseGoInt(std::string_view s, int64_t* out, bool* overflow) {
  *overflow = false;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t n = 0;
  constexpr uint64_t kMax = uint64_t{1} << 63;
  for (char c : s) {
    int d;
    if (IsDigit(c)) {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (n > (std::numeric_limits<uint64_t>::max() - d) / base) {
      *overflow = true;
      n = std::numeric_limits<uint64_t>::max();
    } else if (!*overflow) {
      n = n * base + d;
    }
  }
  if (*overflow || n > kMax || (!neg && n == kMax)) {
    *overflow = true;
    return true;
  }
  *out = neg ? static_cast<int64_t>(-n) : static_cast<int64_t>(n);
  return true;
}

}  // namespace

StatusOr<double> ParseFloat(std::string_view s) {
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) {
    return neg ? -std::numeric_limits<double>::infinity()
               : std::numeric_limits<double>::infinity();
  }
  if (EqualsIgnoreCase(body, "nan"))
    return std::numeric_limits<double>::quiet_NaN();
  // Go accepts digits with an optional fraction and exponent; from_chars
  // additionally accepts forms (like "inf" prefixes) that were handled above.
  if (body.empty() || !(IsDigit(body[0]) || body[0] == '.')) {
    return SyntaxError("ParseFloat", s);
  }
  double v = 0;
  auto res = std::from_chars(body.data(), body.data() + body.size(), v,
                             std::chars_format::general);
  if (res.ptr != body.data() + body.size()) return SyntaxError("ParseFloat", s);
  if (res.ec == std::errc::result_out_of_range) {
    // Go rejects overflow but rounds underflow to zero (or a denormal)
    // without an error; strtod tells the two apart.
    std::string copy(body);
    double u = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(u)) return RangeError("ParseFloat", s);
    return neg ? -u : u;
  }
  if (res.ec != std::errc()) return SyntaxError("ParseFloat", s);
  return neg ? -v : v;
}

StatusOr<double> ParseNumber(std::string_view s) {
  int64_t n = 0;
  bool overflow = false;
  if (ParseGoInt(s, &n, &overflow) && !overflow) return static_cast<double>(n);
  return ParseFloat(s);
}

}  // namespace strata::promql
