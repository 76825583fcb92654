// Number formatting exactly as Go prints float64 values, so that Strata's
// output matches Prometheus's byte for byte.
//
// Thread-safety: pure functions.
#ifndef STRATA_PROMQL_FORMAT_H_
#define STRATA_PROMQL_FORMAT_H_

#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::promql {

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest decimal that
// round-trips, never in exponent form; "NaN", "+Inf", "-Inf". This is how
// Prometheus's HTTP API prints sample values and count_values labels.
std::string FormatFloat(double v);

// Go's fmt "%v" for a float64 (strconv 'g' with the shortest precision):
// exponent form when the decimal exponent is < -4 or >= 6, e.g. "1e+06",
// "123456", "0.0001", "1.5e-07". PromQL's expression printer uses it.
std::string FormatFloatG(double v);

// Go's strconv.ParseFloat(s, 64) for the syntax PromQL accepts: decimal and
// exponent forms, an optional sign, "Inf"/"+Inf"/"-Inf"/"Infinity" and
// "NaN" in any case. InvalidArgument on syntax errors or values out of
// range, as Go reports them.
StatusOr<double> ParseFloat(std::string_view s);

// PromQL's number literals: Go's strconv.ParseInt(s, 0, 64) first (so hex
// "0x1f" and octal "017" work), falling back to ParseFloat.
StatusOr<double> ParseNumber(std::string_view s);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_FORMAT_H_
