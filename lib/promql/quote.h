// Quoting and unquoting of strings and runes exactly as Go's strconv does,
// which Prometheus uses for PromQL string literals, label values in
// messages, and the expression printer.
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

// Go's %q quoting of a single rune, e.g. 'a', '\n', '\x00'.
std::string QuoteRune(int r);
// Go's %q quoting of a string (strconv.Quote).
std::string QuoteString(std::string_view s);
// Go's %#U formatting of a rune: "U+0041 'A'".
std::string FormatRuneU(int r);

// Decodes one UTF-8 sequence from the front of `s` (non-empty); returns
// U+FFFD with width 1 for invalid input, like Go's utf8.DecodeRuneInString.
int DecodeRune(std::string_view s, int* width);
void AppendUtf8(std::string* out, int r);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_QUOTE_H_
