// Go's regexp.MatchString and Regexp.ReplaceAllString over RE2 (whose
// syntax Go's regexp shares), with Go's "$1", "${1}", "$name" and "$$"
// replacement expansion and its rule for empty matches.
//
// Thread-safety: pure functions.
#ifndef STRATA_TEMPLATE_REGEXP_H_
#define STRATA_TEMPLATE_REGEXP_H_

#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::tmpl {

// Unanchored: true if `text` contains a match of `pattern`.
StatusOr<bool> RegexpMatch(std::string_view pattern, std::string_view text);
StatusOr<std::string> RegexpReplaceAll(std::string_view pattern,
                                       std::string_view replacement,
                                       std::string_view text);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_REGEXP_H_
