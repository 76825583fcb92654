// Go's regexp/syntax wording for RE2's error codes, so that regexp errors
// read as Prometheus's do (PromQL matchers, template functions).
//
// Thread-safety: pure functions.
#ifndef STRATA_UTIL_GO_REGEXP_H_
#define STRATA_UTIL_GO_REGEXP_H_

#include <string_view>

namespace strata {

// Go's text for `re2_error_code` (an RE2::ErrorCode, passed as int so that
// RE2's header stays out of util's), or "" for a code without a Go
// counterpart here (callers fall back to RE2's text or their own wording).
std::string_view GoRegexpErrorText(int re2_error_code);

}  // namespace strata

#endif  // STRATA_UTIL_GO_REGEXP_H_
