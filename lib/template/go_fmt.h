// Go's fmt package over template values: Sprint, Sprintln and Sprintf as the
// print, println and printf builtins use them, and the %v text the
// template writes for an action's value.
//
// Sprintf covers the verbs %v %s %d %b %o %x %X %c %q %U %e %E %f %F %g %G
// %t %T %% with the flags + - # 0 space, width and precision (also *), and
// Go's error text for mismatches: "%!d(string=x)", "%!s(MISSING)",
// "%!(EXTRA int=1)", "%!(NOVERB)".
//
// Thread-safety: pure functions.
#ifndef STRATA_TEMPLATE_GO_FMT_H_
#define STRATA_TEMPLATE_GO_FMT_H_

#include <span>
#include <string>
#include <string_view>

#include "template/value.h"

namespace strata::tmpl {

// fmt's %v of `v`; nil prints as "<nil>".
void AppendGoValue(std::string* out, const Value& v);
std::string GoValueString(const Value& v);
// fmt.Sprint: spaces between operands when neither is a string.
std::string GoSprint(std::span<const Value> args);
// fmt.Sprintln: spaces between all operands and a trailing newline.
std::string GoSprintln(std::span<const Value> args);
std::string GoSprintf(std::string_view format, std::span<const Value> args);
}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_GO_FMT_H_
