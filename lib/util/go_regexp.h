// Go's regexp/syntax wording for RE2's error codes, so that regexp errors
// read as Prometheus's do (PromQL matchers, template functions).
//
// Thread-safety: pure functions.
#ifndef STRATA_UTIL_GO_REGEXP_H_
#define STRATA_UTIL_GO_REGEXP_H_

#include <string_view>

#include "re2/re2.h"

namespace strata {

// Go's text for `code`, or "" for a code Go has no counterpart listed for
// here (callers fall back to RE2's own text or their own wording).
std::string_view GoRegexpErrorText(RE2::ErrorCode code);

}  // namespace strata

#endif  // STRATA_UTIL_GO_REGEXP_H_
