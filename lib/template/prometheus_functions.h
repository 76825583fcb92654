// The functions Prometheus 2.42 gives alert and console templates
// (prometheus/template/template.go, NewTemplateExpander's funcMap): query
// first label value strvalue sortByLabel args reReplaceAll match title
// toUpper toLower graphLink tableLink safeHtml stripPort stripDomain
// humanize humanize1024 humanizeDuration humanizePercentage
// humanizeTimestamp toTime pathPrefix externalURL parseDuration.
//
// `query` runs PromQL through a callback the caller supplies, so this
// module does not depend on the query engine.
//
// Thread-safety: the functions are as thread-safe as the query callback.
#ifndef STRATA_TEMPLATE_PROMETHEUS_FUNCTIONS_H_
#define STRATA_TEMPLATE_PROMETHEUS_FUNCTIONS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "template/function.h"
#include "template/value.h"

namespace strata::tmpl {

// Evaluates an instant query at the expansion's timestamp; each sample's
// labels include __name__ when the series has one.
using QueryFunc =
    std::function<StatusOr<std::vector<Sample>>(std::string_view query)>;

// `external_url` is Prometheus's --web.external-url ("" when unset):
// externalURL returns it, pathPrefix its path. Without one (promtool's unit
// tests, whose rule manager has a nil URL) both fail as Go's nil pointer
// dereference does.
Functions PrometheusFunctions(QueryFunc query,
                              std::optional<std::string> external_url);

// Prometheus's convertToFloat: a float, an int, or a string parsed as
// strconv.ParseFloat does; the error text is Go's.
StatusOr<double> ConvertToFloat(const Value& v);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_PROMETHEUS_FUNCTIONS_H_
