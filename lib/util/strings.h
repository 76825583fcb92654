// String helpers shared by every module: concatenation, UTF-8, ASCII
// comparisons, and the one implementation of each escaper the formats and
// printers need (Prometheus exposition, Go's strconv.Quote, Go's
// encoding/json, go-kit's logfmt). Go-compatible float text lives in
// util/go_format.h.
//
// Debian's Abseil is built with its own absl::string_view, so absl::StrCat
// does not take std::string_view; Cat() does.
//
// Thread-safety: pure functions.
#ifndef STRATA_UTIL_STRINGS_H_
#define STRATA_UTIL_STRINGS_H_

#include <concepts>
#include <string>
#include <string_view>

#include "strata/labels.h"

namespace strata {

namespace strings_internal {
inline void AppendPiece(std::string* out, std::string_view s) {
  out->append(s);
}
inline void AppendPiece(std::string* out, char c) { out->push_back(c); }
// Would otherwise convert silently to char: say which Go format a float
// needs (util/go_format.h).
template <std::floating_point T>
void AppendPiece(std::string* out, T v) = delete;
template <std::integral T>
requires(!std::same_as<T, char> &&
         !std::same_as<T, bool>) void AppendPiece(std::string* out, T v) {
  out->append(std::to_string(v));
}
}  // namespace strings_internal

// Appends strings, chars and integers (decimal) to *out. Floats are not
// accepted: say which Go format they need (util/go_format.h).
template <typename... Parts>
void CatTo([[maybe_unused]] std::string* out, const Parts&... parts) {
  (strings_internal::AppendPiece(out, parts), ...);
}

// CatTo into a new string.
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  CatTo(&out, parts...);
  return out;
}

// `s` without leading and trailing ASCII spaces and tabs (HTTP's optional
// whitespace).
std::string_view TrimSpace(std::string_view s);

// ASCII case-insensitive equality (Go's strings.EqualFold for ASCII text).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// ---- UTF-8 ----

bool IsValidUtf8(std::string_view s);
// Decodes one UTF-8 sequence from the front of `s` (non-empty) and sets
// *width to its length; returns U+FFFD with width 1 for invalid input, like
// Go's utf8.DecodeRuneInString.
int DecodeRune(std::string_view s, int* width);
// Appends code point `r` (at most U+10FFFF) as UTF-8.
void AppendUtf8(std::string* out, int r);

// Prometheus label-name and metric-name syntax.
bool IsValidLabelName(std::string_view name);
bool IsValidMetricName(std::string_view name);

// ---- Escapers ----

// Prometheus's text exposition escaping: backslash and newline, and the
// double quote too when `escape_quote` (label values; HELP text leaves
// quotes alone).
void AppendExpositionEscaped(std::string* out, std::string_view s,
                             bool escape_quote);
// `s` in double quotes with \\, \" and \n escaped, as the text exposition
// and OpenMetrics print label values.
void AppendQuoted(std::string* out, std::string_view s);

// Go's strconv.Quote (also fmt's %q of a string): "..." with Go escapes
// (\a \b \f \n \r \t \v, \xXX for other control bytes and invalid UTF-8).
void AppendGoQuoted(std::string* out, std::string_view s);
std::string GoQuoted(std::string_view s);

// Go's net/url.QueryEscape: everything but unreserved characters
// (A-Z a-z 0-9 - _ . ~) percent-encoded in upper-case hex, spaces as '+'.
std::string GoQueryEscape(std::string_view s);
// Go's strconv.QuoteRune (fmt's %q of a rune): 'a', '\n', '\x00'.
std::string GoQuotedRune(int r);

// `s` as a JSON string literal (with quotes), escaped as Go's encoding/json
// does: '"', '\\', control characters, '<', '>', '&', U+2028 and U+2029.
// Bytes >= 0x80 pass through unchanged, so valid UTF-8 stays valid.
void AppendJsonString(std::string* out, std::string_view s);
std::string JsonString(std::string_view s);
// A label set as a JSON object in label order (which is sorted), as
// encoding/json writes a Go map[string]string.
void AppendJsonLabels(std::string* out, const Labels& labels);

// A logfmt value as go-kit/log writes it: bare unless it is empty or holds
// a space, control character, '"', '=' or '\\'; then quoted with
// encoding/json's escapes (without the HTML-safe ones).
void AppendLogfmtValue(std::string* out, std::string_view s);

}  // namespace strata

#endif  // STRATA_UTIL_STRINGS_H_
