// The template check promtool applies to an alerting rule's labels and
// annotations (rulefmt's testTemplateParsing): each text, behind the
// variables rules/alerting.go defines, must parse as a Go text/template
// with Prometheus's functions.
//
// Thread-safety: pure functions.
#ifndef STRATA_RULES_TEMPLATE_CHECK_H_
#define STRATA_RULES_TEMPLATE_CHECK_H_

#include <string_view>

#include "strata/status.h"

namespace strata::rules {

// OK, or Go's parse error for `text` in alerting rule `alert_name` ("template:
// __alert_<name>:1: ...").
Status CheckAlertTemplate(std::string_view alert_name, std::string_view text);

}  // namespace strata::rules

#endif  // STRATA_RULES_TEMPLATE_CHECK_H_
