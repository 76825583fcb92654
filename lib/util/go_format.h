// Float64 text exactly as Go's strconv.FormatFloat(v, fmt, -1, 64) prints
// it, so that Strata's output matches Prometheus's byte for byte. The one
// implementation for the HTTP API, PromQL's printer and count_values, the
// /metrics exposition and strata-tsdb's text output.
//
// Precision -1 means the fewest digits that parse back to the same double
// (std::to_chars gives the same shortest round-trip digits as Go).
//
// Thread-safety: pure functions.
#ifndef STRATA_UTIL_GO_FORMAT_H_
#define STRATA_UTIL_GO_FORMAT_H_

#include <string>

namespace strata {

// Go's format verbs for strconv.FormatFloat.
enum class GoFloatFormat : char {
  // 'e': "-d.ddde±dd", at least two exponent digits: "5.51e-07", "1e+21",
  // "0e+00".
  kExponent = 'e',
  // 'f': "-ddd.ddd", never an exponent: "0.000000551", "1e21" as
  // "1000000000000000000000".
  kFixed = 'f',
  // 'g' (also fmt's %v and %g): 'e' when the decimal exponent is < -4 or
  // >= 6, else 'f': "1e+06", "123456", "0.0001", "1e-05".
  kShortest = 'g',
};

// strconv.AppendFloat(out, v, format, -1, 64). NaN, +Inf and -Inf print as
// "NaN", "+Inf", "-Inf" in every format; -0 keeps its sign ("-0").
void AppendGoFloat(std::string* out, double v, GoFloatFormat format);
// strconv.FormatFloat(v, format, -1, 64).
std::string FormatGoFloat(double v, GoFloatFormat format);
// strconv.FormatFloat(v, 'f', precision, 64), which is also fmt's
// "%.<precision>f" (plain "%f" is precision 6): correctly rounded, NaN and
// infinities as above.
std::string FormatGoFloatFixed(double v, int precision);

}  // namespace strata

#endif  // STRATA_UTIL_GO_FORMAT_H_
