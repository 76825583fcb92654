// Go's regexp/syntax wording for RE2's error codes, so that regexp errors
// read as Prometheus's do (PromQL matchers, template functions, relabel
// configs), and Go's Regexp.Expand ("$1", "${name}" replacements), the one
// implementation for the template functions and relabelling.
//
// Thread-safety: pure functions.
#ifndef STRATA_UTIL_GO_REGEXP_H_
#define STRATA_UTIL_GO_REGEXP_H_

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace strata {

// Go's text for `re2_error_code` (an RE2::ErrorCode, passed as int so that
// RE2's header stays out of util's), or "" for a code without a Go
// counterpart here (callers fall back to RE2's text or their own wording).
std::string_view GoRegexpErrorText(int re2_error_code);

// Go's regexp.Compile error: "error parsing regexp: <text>: `<arg>`", with
// Go's text for the code ("expression too large" for a pattern too large,
// "regexp/syntax: internal error" for codes without a counterpart).
// `error_arg` is RE2's error_arg().
std::string GoRegexpCompileError(int re2_error_code,
                                 std::string_view error_arg);

// Go's Regexp.Expand: appends `tmpl` to *out with "$n", "${n}", "$name" and
// "${name}" replaced by the text of that group of a match, "$$" by "$";
// a malformed reference leaves its '$' as text. groups[i] is the text of
// group i (groups[0] the whole match); a default-constructed string_view
// (data() == nullptr) for a group that did not take part, which expands to
// "" as does a group that does not exist. `named_groups` maps group names
// to indexes (RE2::NamedCapturingGroups()).
void GoRegexpExpand(std::string_view tmpl,
                    std::span<const std::string_view> groups,
                    const std::map<std::string, int>& named_groups,
                    std::string* out);

}  // namespace strata

#endif  // STRATA_UTIL_GO_REGEXP_H_
