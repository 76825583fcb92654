// Number parsing exactly as Go's strconv does for PromQL's number literals.
// Printing Go's float text is util/go_format.h.
//
// Thread-safety: pure functions.
#ifndef STRATA_PROMQL_FORMAT_H_
#define STRATA_PROMQL_FORMAT_H_

#include <string_view>

#include "strata/status.h"

namespace strata::promql {

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
