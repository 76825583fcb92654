// Unquoting of PromQL string literals exactly as Go's strconv does, and
// Go's %#U for the lexer's messages. Quoting (strconv.Quote) and UTF-8
// decoding are util/strings.h.
//
// Thread-safety: pure functions.
#ifndef STRATA_PROMQL_QUOTE_H_
#define STRATA_PROMQL_QUOTE_H_

#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::promql {

// Removes the quotes of a PromQL string literal and processes its escapes
// as Prometheus's strutil.Unquote does ('...', "..." or `...`).
// InvalidArgument ("invalid syntax") if it is not a valid quoted string.
StatusOr<std::string> Unquote(std::string_view quoted);

// Go's %#U formatting of a rune: "U+0041 'A'".
std::string FormatRuneU(int r);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_QUOTE_H_
