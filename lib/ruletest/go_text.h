// The Go text forms promtool's unit-test messages are made of, where the
// tree has no shared implementation: its indentLines, strconv.FormatFloat(v,
// 'E', -1, 64).
//
// Thread-safety: pure functions.
#ifndef STRATA_RULETEST_GO_TEXT_H_
#define STRATA_RULETEST_GO_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::ruletest {

// promtool's indentLines: `indent` before every line but the first.
std::string IndentLines(std::string_view lines, std::string_view indent);

// strconv.FormatFloat(v, 'E', -1, 64): "1E+00", "2.5E-01", "NaN", "+Inf".
std::string FormatFloatUpperE(double v);

}  // namespace strata::ruletest

#endif  // STRATA_RULETEST_GO_TEXT_H_
