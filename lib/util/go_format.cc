#include "util/go_format.h"

#include <charconv>
#include <cmath>

namespace strata {
namespace {

// Go's %g with the shortest precision compares the decimal exponent
// against a precision of 6 (strconv's ftoa.go: `if shortest { eprec = 6 }`).
constexpr int kShortestExponentPrecision = 6;
constexpr int kSmallestFixedExponent = -4;

// The shortest round-trip digits of |v|: the value is
// 0.<digits> * 10^point. Zero is {"0", 1}.
struct Decimal {
  std::string digits;
  int point = 0;
};

Decimal ShortestDecimal(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), std::fabs(v),
                                 std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e = sci.find('e');  // d[.ddd]e[+-]XX
  Decimal d;
  for (char c : sci.substr(0, e)) {
    if (c != '.') d.digits.push_back(c);
  }
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  int exp = 0;
  const size_t exp_start = e + (sci[e + 1] == '+' ? 2 : 1);
  std::from_chars(sci.data() + exp_start, sci.data() + sci.size(), exp);
  d.point = exp + 1;
  return d;
}

// strconv's fmtE with the shortest precision.
void AppendExponent(std::string* out, const Decimal& d) {
  out->push_back(d.digits[0]);
  if (d.digits.size() > 1) {
    out->push_back('.');
    out->append(d.digits, 1, std::string::npos);
  }
  const int exp = d.point - 1;
  out->push_back('e');
  out->push_back(exp < 0 ? '-' : '+');
  const int magnitude = exp < 0 ? -exp : exp;
  if (magnitude < 10) out->push_back('0');
  out->append(std::to_string(magnitude));
}

// strconv's fmtF with exactly as many fraction digits as the shortest
// decimal needs.
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

}  // namespace

void AppendGoFloat(std::string* out, double v, GoFloatFormat format) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (std::signbit(v)) out->push_back('-');
  const Decimal d = ShortestDecimal(v);
  switch (format) {
    case GoFloatFormat::kExponent:
      AppendExponent(out, d);
      return;
    case GoFloatFormat::kFixed:
      AppendFixed(out, d);
      return;
    case GoFloatFormat::kShortest: {
      const int exp = d.point - 1;
      if (v != 0 &&
          (exp < kSmallestFixedExponent || exp >= kShortestExponentPrecision)) {
        AppendExponent(out, d);
      } else {
        AppendFixed(out, d);
      }
      return;
    }
  }
}

std::string FormatGoFloat(double v, GoFloatFormat format) {
  std::string out;
  AppendGoFloat(&out, v, format);
  return out;
}

std::string FormatGoFloatFixed(double v, int precision) {
  if (std::isnan(v) || std::isinf(v))
    return FormatGoFloat(v, GoFloatFormat::kFixed);
  // DBL_MAX has 309 integer digits.
  char buf[320 + 64];
  const int digits = precision < 0 ? 0 : precision > 64 ? 64 : precision;
  const auto res = std::to_chars(buf, buf + sizeof(buf), v,
                                 std::chars_format::fixed, digits);
  return std::string(buf, res.ptr);
}

}  // namespace strata
