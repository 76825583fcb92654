#include "promql/format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <system_error>

namespace strata::promql {
namespace {

// The shortest round-trip digits of a finite, non-zero |v|: `digits` holds
// the significant decimal digits and the value is 0.<digits> * 10^point.
struct Decimal {
  std::string digits;
  int point = 0;
};

Decimal ShortestDecimal(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), std::fabs(v),
                           std::chars_format::scientific);
  std::string_view s(buf, res.ptr - buf);  // d[.ddd]e[+-]XX
  Decimal d;
  size_t e = s.find('e');
  for (char c : s.substr(0, e)) {
    if (c != '.') d.digits.push_back(c);
  }
  int exp = 0;
  std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(),
                  exp);
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  d.point = exp + 1;
  return d;
}

std::string SpecialValue(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "+Inf" : "-Inf";
}

// %f layout of the decimal with exactly as many fraction digits as needed.
void AppendFixed(std::string* out, const Decimal& d) {
  if (d.point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-d.point), '0');
    out->append(d.digits);
    return;
  }
  const size_t point = static_cast<size_t>(d.point);
  if (d.digits.size() <= point) {
    out->append(d.digits);
    out->append(point - d.digits.size(), '0');
    return;
  }
  out->append(d.digits, 0, point);
  out->push_back('.');
  out->append(d.digits, point, std::string::npos);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

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

std::string FormatFloat(double v) {
  if (!std::isfinite(v)) return SpecialValue(v);
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  std::string out;
  if (v < 0) out.push_back('-');
  AppendFixed(&out, ShortestDecimal(v));
  return out;
}

std::string FormatFloatG(double v) {
  if (!std::isfinite(v)) return SpecialValue(v);
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  std::string out;
  if (v < 0) out.push_back('-');
  Decimal d = ShortestDecimal(v);
  const int exp = d.point - 1;
  if (exp < -4 || exp >= 6) {
    out.push_back(d.digits[0]);
    if (d.digits.size() > 1) {
      out.push_back('.');
      out.append(d.digits, 1, std::string::npos);
    }
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out.push_back('0');
    out.append(std::to_string(a));
    return out;
  }
  AppendFixed(&out, d);
  return out;
}

StatusOr<double> ParseFloat(std::string_view s) {
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualFold(body, "inf") || EqualFold(body, "infinity")) {
    return neg ? -std::numeric_limits<double>::infinity()
               : std::numeric_limits<double>::infinity();
  }
  if (EqualFold(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
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
