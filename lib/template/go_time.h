// Go's time.Time text for template values: String() and Format(layout),
// always in UTC as Prometheus's template times are.
//
// Thread-safety: pure functions.
#ifndef STRATA_TEMPLATE_GO_TIME_H_
#define STRATA_TEMPLATE_GO_TIME_H_

#include <string>
#include <string_view>

#include "template/value.h"

namespace strata::tmpl {

// time.Time.String(): "2015-06-23 13:19:44.128 +0000 UTC".
std::string GoTimeString(Time t);
// time.Time.Format with the layout elements 2006 06 01 1 Jan January 02 2
// _2 15 03 3 04 4 05 5 PM pm Mon Monday MST -0700 -07:00 Z07:00 Z0700 and
// fractional seconds (.000, .999); anything else is copied.
std::string GoTimeFormat(Time t, std::string_view layout);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_GO_TIME_H_
