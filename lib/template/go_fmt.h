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
// time.Time.String(): "2015-06-23 13:19:44.128 +0000 UTC".
std::string GoTimeString(Time t);
// time.Time.Format with the layout elements 2006 06 01 1 Jan January 02 2
// _2 15 03 3 04 4 05 5 PM pm Mon Monday MST -0700 -07:00 Z07:00 Z0700 and
// fractional seconds (.000, .999); anything else is copied.
std::string GoTimeFormat(Time t, std::string_view layout);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_GO_FMT_H_
